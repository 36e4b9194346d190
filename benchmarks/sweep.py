"""Sweeps on Dask against a plain loop: the speed-up of 16 trials on 2 workers, and what Dask
adds to each trial.

    python benchmarks/sweep.py --data ../shared/data/mnist

1. 16 trials (784-30-10, sigmoid, cross-entropy, 2 epochs each; η × λ = 4 × 4) run serially in
   this process, then as Dask tasks on a LocalCluster of 2 worker processes (one thread, one
   BLAS thread each; the cluster's start is timed apart). Both tables must be equal.
2. Per-trial overhead: N tiny trials (a 784-10-10 network, 2 epochs of 500 images) in a plain
   loop and on a 1-worker LocalCluster, after a warm-up of each; the difference per trial is
   what a task costs (submission, scheduling, the result's trip back).
Prints seconds and ratios; the machine's load changes them, so run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

from nudges.data.mnist import Dataset, load_digits
from nudges.sweeps.run import connect, on_dask, serially
from nudges.sweeps.spec import Spec

BOOK = {"hidden": 30, "activation": "sigmoid", "output": "sigmoid", "cost": "cross-entropy",
        "epochs": 2, "batch_size": 10}
GRID = {"eta": [0.1, 0.5, 1.0, 3.0], "lmbda": [0.0, 1.0, 2.0, 5.0]}


def timed(rows):
    start = time.perf_counter()
    out = sorted(rows, key=lambda r: r["trial"])
    return out, time.perf_counter() - start


def same(a, b):
    drop = ("seconds",)
    return [{k: v for k, v in r.items() if k not in drop} for r in a] == [
        {k: v for k, v in r.items() if k not in drop} for r in b]


def speed_up(data: Dataset) -> None:
    trials = Spec(GRID, BOOK).expand()
    serial, t_serial = timed(serially(trials, data))
    start = time.perf_counter()
    with connect(workers=2, dashboard=None) as client:
        t_start = time.perf_counter() - start
        parallel, t_dask = timed(on_dask(client, trials, data))
    print(f"{len(trials)} trials, {data.train[0].shape[0]:,} training images, 784-30-10, "
          f"{BOOK['epochs']} epochs each: serial {t_serial:.1f} s; Dask, 2 workers {t_dask:.1f} s "
          f"(+ {t_start:.1f} s to start the cluster); speed-up {t_serial / t_dask:.2f}x "
          f"({t_serial / (t_dask + t_start):.2f}x with the start); same table: "
          f"{same(serial, parallel)}")


def small(data: Dataset) -> Dataset:
    """500 training images, 100 for validation, 100 for test."""
    return dataclasses.replace(data, train=tuple(a[:500] for a in data.train),
                               validation=tuple(a[:100] for a in data.validation),
                               test=tuple(a[:100] for a in data.test))


def overhead(data: Dataset, n: int) -> None:
    tiny = small(data)
    spec = Spec({"seed": list(range(n))}, {"hidden": 10, "epochs": 2, "batch_size": 10})
    trials = spec.expand()
    list(serially(trials[:4], tiny))                                   # warm: JIT, caches
    _, t_loop = timed(serially(trials, tiny))
    with connect(workers=1, dashboard=None) as client:
        list(on_dask(client, trials[:4], tiny))                        # warm the worker
        _, t_dask = timed(on_dask(client, trials, tiny))
    per_loop, per_dask = t_loop / n * 1e3, t_dask / n * 1e3
    print(f"{n} tiny trials: plain loop {per_loop:.1f} ms a trial; Dask, 1 worker "
          f"{per_dask:.1f} ms a trial; overhead {per_dask - per_loop:+.1f} ms a trial "
          f"({per_dask / per_loop:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("NUDGES_DATA"),
                        help="MNIST folder (default: $NUDGES_DATA, else the sample)")
    parser.add_argument("--overhead-trials", type=int, default=64)
    args = parser.parse_args()
    data = load_digits(args.data)
    print(f"data: {data.source}; load average {os.getloadavg()[0]:.1f}")
    speed_up(data)
    overhead(data, args.overhead_trials)


if __name__ == "__main__":
    main()
