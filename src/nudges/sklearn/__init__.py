"""The scikit-learn estimator (estimator) and its files (files)."""

from .estimator import SETTINGS, NudgesClassifier

__all__ = [
    "NudgesClassifier", "SETTINGS",
]
