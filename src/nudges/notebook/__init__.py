"""Jupyter widgets: the page's views in a notebook."""

from .widgets import Draw, Learn, Nudges

__all__ = [
    "Draw", "Learn", "Nudges",
]
