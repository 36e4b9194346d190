"""Successive halving: the rungs, who is promoted, the table, resuming, and the CLI."""

from __future__ import annotations

import json

import pytest

from nudges.cli import main
from nudges.core.errors import InvalidInput
from nudges.sweeps.halving import at, best, cost, halving, rungs
from nudges.sweeps.spec import Spec

from .tiny_data import write_tiny_mnist

NET = {"hidden": 8, "activation": "relu", "output": "softmax", "cost": "cross-entropy"}


def test_rungs_grow_threefold_to_the_epochs_asked_for():
    assert rungs(27) == [3, 9, 27]
    assert rungs(10) == [1, 3, 10]
    assert rungs(2) == [2] and rungs(3) == [1, 3]
    assert rungs(1000) == [111, 333, 1000]              # at most 3 rungs


def test_cost_counts_the_epochs_trained():
    assert cost(27, 27) == (27 * 3 + 9 * 9 + 3 * 27, 27 * 27)
    assert cost(4, 9) == (4 * 1 + 2 * 3 + 1 * 9, 36)


def fake(trials, accuracy):
    """A run that 'trains' each trial: validation accuracy from accuracy(trial, epochs)."""
    calls = []

    def run(todo):
        calls.append([(t.index, t.options["epochs"]) for t in todo])
        for t in todo:
            done[t.key] = {"key": t.key, "validation_accuracy": accuracy(t),
                           "status": "ok"}
        return True
    done: dict = {}
    return run, done, calls


def test_the_best_third_goes_on_and_the_rest_stop_at_their_rung():
    trials = Spec({"eta": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]}, NET | {"epochs": 9}).expand()
    run, done, calls = fake(trials, lambda t: t.options["eta"] * 10 + t.options["epochs"])
    rows = halving(trials, ["eta"], done, run)
    assert calls == [[(i, 1) for i in range(6)], [(4, 3), (5, 3)], [(5, 9)]]
    assert [(r["trial"], r["rung"], r["stopped"]) for r in rows] == [
        (0, 1, 1), (1, 1, 1), (2, 1, 1), (3, 1, 1), (4, 2, 3), (5, 3, None)]


def test_failed_trials_rank_last():
    trials = Spec({"eta": [0.1, 0.2, 0.3]}, NET | {"epochs": 3}).expand()
    rows = {at(t, 1).key: {"validation_accuracy": None if t.index == 2 else t.index}
            for t in trials}
    assert [t.index for t in best(trials, rows, 1)] == [1]


def test_resuming_runs_only_what_is_missing():
    trials = Spec({"eta": [0.1, 0.2, 0.3]}, NET | {"epochs": 3}).expand()
    run, done, calls = fake(trials, lambda t: t.options["eta"])
    first = halving(trials, ["eta"], done, run)
    again = halving(trials, ["eta"], done, run)
    assert first == again and calls[2:] == [[], []]


def test_an_interrupted_rung_keeps_what_finished():
    trials = Spec({"eta": [0.1, 0.2, 0.3]}, NET | {"epochs": 3}).expand()
    run, done, _ = fake(trials, lambda t: t.options["eta"])
    rows = halving(trials, ["eta"], done, lambda todo: run(todo) and len(todo) > 1)
    assert [(r["trial"], r["rung"]) for r in rows] == [(0, 1), (1, 1), (2, 1)]


def test_epochs_cannot_be_swept():
    trials = Spec({"epochs": [1, 2]}, NET).expand()
    with pytest.raises(InvalidInput, match="halving search sets each rung's epochs"):
        halving(trials, ["epochs"], {}, lambda todo: True)


def test_the_cli_runs_rungs_and_says_who_stopped(tmp_path, capsys):
    pytest.importorskip("distributed")
    tiny = write_tiny_mnist(tmp_path / "tiny")
    out = tmp_path / "out"
    args = ["sweep", "--data", str(tiny), "--out", str(out), "--workers", "0", "--hidden", "4",
            "--epochs", "3", "--eta", "0.1,1,3", "--search", "halving"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "successive halving: 6 epochs of training where the grid takes 9" in printed
    lines = (out / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["key"].count('"epochs": 1') for line in lines] == [1, 1, 1, 0]
    assert "stopped" in (out / "results.csv").read_text().splitlines()[0]
    assert main([*args, "--resume"]) == 0          # nothing left to run
    assert len((out / "results.jsonl").read_text().splitlines()) == 4


def test_nudges_sweep_runs_a_halving_spec(tmp_path):
    from nudges.data.mnist import load_digits
    from nudges.sweeps.run import sweep

    data = load_digits(write_tiny_mnist(tmp_path / "tiny"))
    spec = Spec({"eta": [0.1, 1.0, 3.0]}, NET | {"epochs": 3}, search="halving")
    rows = sweep(spec, data, workers=0, results=tmp_path / "r.jsonl")
    assert [r["rung"] for r in rows].count(2) == 1 and len(rows) == 3
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 4
