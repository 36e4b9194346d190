"""Stochastic gradient descent over shuffled mini-batches (sgd), what a run is: its settings,
history and resumable state (settings), and the random shifts that augment it (augment)."""

from .settings import SCHEDULES, EpochReport, History, Settings, State, optimizer_for
from .sgd import measure, rule, run_epoch, train, train_epochs, train_step

__all__ = [
    "EpochReport", "History", "SCHEDULES", "Settings", "State", "measure", "optimizer_for", "rule",
    "run_epoch", "train", "train_epochs", "train_step",
]
