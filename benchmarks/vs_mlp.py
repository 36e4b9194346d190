"""NudgesClassifier against scikit-learn's MLPClassifier: fit time and test accuracy.

    pip install -e '.[sklearn,fast]'
    python benchmarks/vs_mlp.py --data ../shared/data/mnist            # about 5 minutes
    python benchmarks/vs_mlp.py --data ../shared/data/mnist --quick    # about a minute

Three data sets: MNIST (50,000 training images, the 10,000 test images) and two of
scikit-learn's bundled tables (load_digits, load_breast_cancer: a stratified 75/25 split,
random_state 0). Both estimators sit in a Pipeline after a StandardScaler on the tables (MNIST
keeps its [0, 1] pixels) and train the same layers for the same epochs by the same optimizer:

    sgd   sigmoid hidden layer(s), softmax outputs and cross-entropy (log-loss), plain SGD
    adam  MLPClassifier's defaults: one ReLU layer of 100, Adam with η = 0.001, batches of 200

What stays different: the initial weights (nudges' scaled or He init against Glorot's uniform)
and, for two classes, MLPClassifier's single logistic output against nudges' two softmax
outputs. MLPClassifier's own stopping rule is switched off (n_iter_no_change = max_iter) so
that both run every epoch; its n_iter_ is checked. Each fit runs in a fresh process (so one
library's BLAS threads cannot slow the other's), the two alternating; nudges' compiled kernels
are loaded by a small fit before the clock starts. Each time is the median over the repeats;
the accuracy is that of the first repeat (seed 0). A benchmark, not a test: it prints
Markdown tables, and --json keeps the raw numbers.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

SETUPS = {
    "sgd": {"nudges": {"activation": "sigmoid", "output": "softmax", "cost": "cross-entropy",
                       "optimizer": "sgd"},
            "mlp": {"activation": "logistic", "solver": "sgd", "momentum": 0.0,
                    "nesterovs_momentum": False, "learning_rate": "constant"}},
    "adam": {"nudges": {"activation": "relu", "init": "he", "output": "softmax",
                        "cost": "cross-entropy", "optimizer": "adam"},
             "mlp": {"activation": "relu", "solver": "adam"}},
}
# (data set, setup): hidden layers, batch size, η, epochs (--quick: fewer)
RUNS = {
    ("mnist", "sgd"): ((30,), 10, 0.5, 10),
    ("mnist", "adam"): ((100,), 200, 0.001, 10),
    ("digits", "sgd"): ((30,), 10, 0.1, 30),
    ("digits", "adam"): ((100,), 200, 0.001, 200),
    ("breast_cancer", "sgd"): ((30,), 10, 0.1, 30),
    ("breast_cancer", "adam"): ((100,), 200, 0.001, 200),
}
QUICK_EPOCHS = {"mnist": 2, "digits": 30, "breast_cancer": 30}


def load(name: str, mnist: str | None) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_test, y_test) of a data set."""
    if name == "mnist":
        from nudges import load_mnist
        data = load_mnist(mnist)
        return (*data.train, *data.test)
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    x, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    x, x_test, y, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    return x, y, x_test, y_test


def estimator(system: str, setup: str, run: tuple, epochs: int, seed: int, scale: bool):
    """The pipeline (or bare estimator) for one system, setup and run."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from nudges.sklearn.estimator import NudgesClassifier
    hidden, batch, eta = run[:3]
    if system == "nudges":
        model = NudgesClassifier(hidden, batch_size=batch, eta=eta, max_iter=epochs,
                                 random_state=seed, **SETUPS[setup]["nudges"])
    else:
        model = MLPClassifier(hidden, batch_size=batch, learning_rate_init=eta, alpha=0.0,
                              max_iter=epochs, n_iter_no_change=epochs, random_state=seed,
                              **SETUPS[setup]["mlp"])
    return make_pipeline(StandardScaler(), model) if scale else model


def worker(system: str, name: str, setup: str, epochs: int, seed: int, mnist: str | None) -> dict:
    """One timed fit in this process: seconds, test accuracy, epochs run."""
    from sklearn.exceptions import ConvergenceWarning
    x, y, x_test, y_test = load(name, mnist)
    run, scale = RUNS[(name, setup)], name != "mnist"
    if system == "nudges":                               # compile or load the kernels first
        estimator(system, setup, run, 1, seed, scale).fit(x[:200], y[:200])
    model = estimator(system, setup, run, epochs, seed, scale)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(x, y)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "accuracy": float(model.score(x_test, y_test)),
            "epochs": int(model[-1].n_iter_ if scale else model.n_iter_)}


def measure(names: list[str], repeats: int, quick: bool, mnist: str | None,
            threads: int | None) -> list[dict]:
    """One row per (data set, setup): both systems' runs, alternating within each repeat."""
    env = dict(os.environ)
    if threads:
        env |= {v: str(threads) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    rows = []
    for name in names:
        for setup in SETUPS:
            epochs = QUICK_EPOCHS[name] if quick else RUNS[(name, setup)][3]
            runs: dict = {"nudges": [], "mlp": []}
            for seed in range(repeats):
                for system in runs:
                    args = [system, name, setup, str(epochs), str(seed), mnist or ""]
                    done = subprocess.run([sys.executable, __file__, "--worker", *args],
                                          capture_output=True, text=True, check=False, env=env)
                    if done.returncode:
                        raise SystemExit(f"{system} on {name} failed:\n{done.stderr[-3000:]}")
                    runs[system].append(json.loads(done.stdout.strip().splitlines()[-1]))
                    print(f"  {name} {setup} {system} repeat {seed + 1}: "
                          f"{runs[system][-1]['seconds']:.2f} s", file=sys.stderr)
            rows.append({"data": name, "setup": setup, "epochs": epochs, "runs": runs})
    return rows


def table(rows: list[dict]) -> str:
    """The results as a Markdown table."""
    lines = ["| data | setup | layers, batch, η | epochs | nudges s | MLPClassifier s "
             "| MLP ÷ nudges | nudges acc % | MLPClassifier acc % |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        hidden, batch, eta, _ = RUNS[(row["data"], row["setup"])]
        ours, theirs = (statistics.median(r["seconds"] for r in row["runs"][s])
                        for s in ("nudges", "mlp"))
        epochs = {r["epochs"] for s in row["runs"] for r in row["runs"][s]}
        assert epochs == {row["epochs"]}, f"epochs run: {epochs}"
        lines.append(
            f"| {row['data']} | {row['setup']} | {'-'.join(map(str, hidden))}, {batch}, {eta:g} "
            f"| {row['epochs']} | {ours:.2f} | {theirs:.2f} | {theirs / ours:.2f}x "
            f"| {100 * row['runs']['nudges'][0]['accuracy']:.2f} "
            f"| {100 * row['runs']['mlp'][0]['accuracy']:.2f} |")
    return "\n".join(lines)


def environment() -> str:
    import sklearn
    return (f"{datetime.date.today()}, {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy "
            f"{np.__version__}, scikit-learn {sklearn.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("NUDGES_DATA"),
                        help="folder of the MNIST files (default: $NUDGES_DATA); "
                             "without it, the tables only")
    parser.add_argument("--repeats", type=int, default=3, help="fits per system and row")
    parser.add_argument("--quick", action="store_true", help="fewer epochs (a smoke run)")
    parser.add_argument("--threads", type=int, help="BLAS threads of every fit (default: "
                        "the libraries' own choice)")
    parser.add_argument("--json", help="also write the raw numbers here")
    parser.add_argument("--worker", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        system, name, setup, epochs, seed, mnist = args.worker
        print(json.dumps(worker(system, name, setup, int(epochs), int(seed), mnist or None)))
        return
    names = (["mnist"] if args.data else []) + ["digits", "breast_cancer"]
    load = os.getloadavg()[0]                      # others' work on the machine skews times
    rows = measure(names, args.repeats, args.quick, args.data, args.threads)
    threads = f"{args.threads} BLAS thread(s)" if args.threads else "default BLAS threads"
    print(f"Measured {environment()}, {threads}, load average {load:.1f} before and "
          f"{os.getloadavg()[0]:.1f} after; medians of {args.repeats} fits.\n")
    print(table(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"environment": environment(), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
