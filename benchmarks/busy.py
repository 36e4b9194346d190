"""Training beside other work: seconds per epoch alone, two trainings at once, and one beside a
busy core, with nudges' thread policy and without it (issue 22).

    python benchmarks/busy.py --data ../shared/data/mnist                  # about 4 minutes
    python benchmarks/busy.py --data ../shared/data/mnist --epochs 2 --batches 10,100

784-100-10 (σ, quadratic cost), the first 20,000 training images, SGD (η = 3) and Adam
(η = 0.001) at each batch size. Every training is a fresh process that loads the data and warms
up (one epoch of 1,000 images, so the compiled code is loaded), then waits until all are warm,
so that two trainings at once overlap from their first timed epoch. "beside a busy core"
runs a pure-Python loop that spins on one core. Policies: "auto", nudges.engines.threads (the
default); "all-cores", every process's BLAS on all the cores it may use, as before issue 22
(OpenBLAS's default). Each cell is the median epoch; for two at once, the slower process's. Targets:
two at once at most 2.5x alone, beside a busy core at most 1.6x.
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
from pathlib import Path

HERE = Path(__file__).resolve()
SIZES = [784, 100, 10]
N_TRAIN = 20_000
OPTIMIZERS = {"sgd": 3.0, "adam": 0.001}
TARGETS = {"two": 2.5, "busy": 1.6}
SPIN = "while True: pass"


def worker(args: argparse.Namespace) -> None:
    """One training: warm up, say "ready", wait for a line on stdin, train; print the epochs'
    seconds."""
    from nudges.core.network import Network
    from nudges.data.mnist import load_digits
    from nudges.engines import threads
    from nudges.training.settings import Settings
    from nudges.training.sgd import train_epochs

    x, y = (a[:N_TRAIN] for a in load_digits(args.data).train)
    settings = Settings(epochs=args.epochs, batch_size=args.batch, optimizer=args.optimizer,
                        eta=OPTIMIZERS[args.optimizer], seed=0)
    with threads.flag(args.threads):
        warm = Network(SIZES, seed=0)
        list(train_epochs(warm, x[:1000], y[:1000], Settings(**{**vars(settings), "epochs": 1})))
        print("ready", flush=True)
        sys.stdin.readline()
        seconds = [r.seconds for r in train_epochs(Network(SIZES, seed=0), x, y, settings)]
    print(json.dumps({"seconds": seconds}))


def start(data: str, batch: int, optimizer: str, epochs: int, threads: int | None
          ) -> subprocess.Popen[str]:
    """A worker process, started now; it trains once told to (go)."""
    command = [sys.executable, str(HERE), "worker", "--data", data, "--batch", str(batch),
               "--optimizer", optimizer, "--epochs", str(epochs)]
    command += [] if threads is None else ["--threads", str(threads)]
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def go(workers: list[subprocess.Popen[str]]) -> None:
    """Wait until every worker is warm, then let them all start at once."""
    for w in workers:
        if w.stdout.readline().strip() != "ready":                      # type: ignore[union-attr]
            raise SystemExit(f"a worker failed:\n{w.communicate()[1][-3000:]}")
    for w in workers:
        w.stdin.write("go\n")                                          # type: ignore[union-attr]
        w.stdin.flush()                                                 # type: ignore[union-attr]


def seconds_of(process: subprocess.Popen[str]) -> float:
    """The median epoch of a finished worker."""
    out, err = process.communicate()
    if process.returncode:
        raise SystemExit(f"a worker failed:\n{err[-3000:]}")
    return statistics.median(json.loads(out.strip().splitlines()[-1])["seconds"])


def case(name: str, data: str, batch: int, optimizer: str, epochs: int,
         threads: int | None) -> float:
    """The case's median epoch (for "two", the slower process's)."""
    spinner = subprocess.Popen([sys.executable, "-c", SPIN]) if name == "busy" else None
    try:
        workers = [start(data, batch, optimizer, epochs, threads)
                   for _ in range(2 if name == "two" else 1)]
        go(workers)
        return max(seconds_of(w) for w in workers)
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()


def measure(args: argparse.Namespace) -> list[dict]:
    """One row per (batch, optimizer, policy): the three cases' seconds."""
    rows = []
    for batch in args.batches:
        for optimizer in args.optimizers:
            for policy in args.policies:
                threads = None if policy == "auto" else len(os.sched_getaffinity(0))
                row = {"batch": batch, "optimizer": optimizer, "policy": policy}
                for name in ("alone", "two", "busy"):
                    row[name] = case(name, args.data, batch, optimizer, args.epochs, threads)
                print(f"  {row}", file=sys.stderr)
                rows.append(row)
    return rows


def peak_gflops(n: int = 2048) -> float:
    """A single-thread float32 n×n×n product's best of 3, in GFLOP/s."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    with threadpool_limits(limits=1):
        best = min(timed(np.matmul, a, a) for _ in range(3))
    return 2 * n**3 / best / 1e9


def timed(f: object, *args: object) -> float:
    start = time.perf_counter()
    f(*args)                                                           # type: ignore[operator]
    return time.perf_counter() - start


def table(rows: list[dict], peak: float) -> str:
    """The Markdown table, with ratios to alone and whether each meets its target; alone's
    GFLOP/s (the epoch's products: forward, δ W for the second layer, δᵀ a) and its fraction
    of `peak`."""
    flops = 2 * N_TRAIN * (2 * 784 * 100 + 3 * 100 * 10)
    lines = ["| batch | optimizer | policy | alone s | GFLOP/s (of peak) | two at once s | ratio "
             "| beside a busy core s | ratio | targets (≤ 2.5x, ≤ 1.6x) |", "|---" * 10 + "|"]
    for r in rows:
        two, busy, rate = r["two"] / r["alone"], r["busy"] / r["alone"], flops / r["alone"] / 1e9
        met = "met" if two <= TARGETS["two"] and busy <= TARGETS["busy"] else "NOT met"
        lines.append(f"| {r['batch']} | {r['optimizer']} | {r['policy']} | {r['alone']:.3f} | "
                     f"{rate:.0f} ({rate / peak:.0%}) | {r['two']:.3f} | {two:.2f}x | "
                     f"{r['busy']:.3f} | {busy:.2f}x | {met} |")
    return "\n".join(lines)


def header() -> str:
    """The date, the CPU, and the BLAS libraries with their kernels and default threads."""
    import numpy  # noqa: F401  (threadpoolctl lists the libraries loaded)
    from threadpoolctl import threadpool_info

    blas = "; ".join(f"{i['internal_api']} {i['version']} {i.get('architecture', '')} "
                     f"({i['num_threads']} threads)" for i in threadpool_info())
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").open()
                if line.startswith("model name")), platform.processor())
    return (f"Measured {datetime.date.today()}, {cpu}, {len(os.sched_getaffinity(0))} cores, "
            f"Python {platform.python_version()}; BLAS: {blas}.")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("mode", nargs="?", default="measure", choices=("measure", "worker"))
    p.add_argument("--data", default=os.environ.get("NUDGES_DATA"), help="MNIST's folder")
    p.add_argument("--epochs", type=int, default=3, help="timed epochs per training")
    p.add_argument("--batches", type=lambda s: [int(b) for b in s.split(",")],
                   default=[10, 32, 100])
    p.add_argument("--optimizers", type=lambda s: s.split(","), default=list(OPTIMIZERS))
    p.add_argument("--policies", type=lambda s: s.split(","), default=["auto", "all-cores"])
    p.add_argument("--json", help="also write the rows here")
    p.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    p.add_argument("--optimizer", help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main() -> None:
    args = parse()
    if args.mode == "worker":
        return worker(args)
    rows = measure(args)
    peak = peak_gflops()
    print(header() + f" Single-thread float32 peak (2048³ product): {peak:.0f} GFLOP/s.")
    print(f"Command: python benchmarks/busy.py {' '.join(sys.argv[1:])}\n")
    print(table(rows, peak))
    if args.json:
        Path(args.json).write_text(json.dumps({"header": header(), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
