"""The presets' promises, on full MNIST (skipped with a reason where it is absent)."""

import re

import pytest

from nudges.cli import main


def final_accuracy(out: str) -> float:
    return float(re.findall(r"\(([\d.]+)%\)", out)[-1])


@pytest.mark.mnist
@pytest.mark.slow
def test_best_preset_reaches_99_percent(mnist_dir, capsys):
    """99.09% with OpenBLAS's SkylakeX kernels (seeds 1 and 2: 99.15% and 98.98%); other
    kernels round differently and training amplifies it, so 0.1 point is allowed."""
    assert main(["train", "--preset", "best", "--data", str(mnist_dir), "--quiet"]) == 0
    assert final_accuracy(capsys.readouterr().out) >= 98.9


@pytest.mark.mnist
def test_quick_preset_reaches_97_percent(mnist_dir, capsys):
    assert main(["train", "--preset", "quick", "--data", str(mnist_dir), "--quiet"]) == 0
    assert final_accuracy(capsys.readouterr().out) >= 97.0
