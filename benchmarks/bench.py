"""nudges against its peers: seconds per epoch of plain SGD on full MNIST, as ratios.

    pip install -e '.[bench,fast]'          # torch==2.13.0 (CPU), scikit-learn, numba
    python benchmarks/bench.py --data ../shared/data/mnist          # about 6 minutes
    python benchmarks/bench.py --data ../shared/data/mnist --quick  # about a minute

Each system runs in its own process (so its peak memory is its own), once per repeat, the
systems alternating; each cell is the median over repeats. Prints Markdown tables and
PASS/FAIL for the targets of issue 4; --json keeps the raw numbers, --plot draws the scaling.
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

import numpy as np

HERE = Path(__file__).resolve().parent
NETS = ([784, 30, 10], [784, 100, 10], [784, 16, 16, 10])
BATCHES = (10, 100, 1000)
MAIN = [(net, size) for net in NETS for size in BATCHES]
HIDDEN = [([784, h, 10], 10) for h in (16, 30, 100, 300, 1000)]
GROWING = [([784, 30, 10], b) for b in (1, 10, 100, 1000, 10000)]
SCALING = [c for c in HIDDEN + GROWING if c not in MAIN]
PEERS = ("nudges-f32", "nudges-f64", "nudges-f32-numpy", "book", "torch-1t", "torch-2t",
         "sklearn", "jax", "matmul")
SCALED = ("nudges-f32", "torch-2t", "matmul")


def run_worker(system: str, data: str, configs: list, seed: int, n_train: int) -> dict:
    """One system's epochs in a fresh process; its JSON line."""
    command = [sys.executable, str(HERE / "systems.py"), system, data, json.dumps(configs),
               str(seed), str(n_train)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{system} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_all(data: str, repeats: int, n_train: int, systems: tuple[str, ...]) -> dict:
    """{system: {"runs": [worker JSON per repeat]}}: systems alternate within each repeat."""
    out: dict = {s: [] for s in systems}
    for repeat in range(repeats):
        for system in systems:
            configs = MAIN + (SCALING if system in SCALED and repeat == 0 else [])
            started = time.perf_counter()
            out[system].append(run_worker(system, data, configs, seed=repeat, n_train=n_train))
            print(f"  repeat {repeat + 1}/{repeats} {system}: "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return out


def median(runs: list[dict], sizes: list, batch: int, key: str = "seconds") -> float:
    values = [r[key] for run in runs for r in run["results"]
              if r["sizes"] == sizes and r["batch"] == batch and r[key] is not None]
    return statistics.median(values) if values else float("nan")


def peak_gflops(dtype=np.float32, n: int = 2048) -> float:
    """The machine's measured peak: best of a few n×n×n products, in GFLOP/s."""
    a = np.random.default_rng(0).random((n, n), dtype=dtype)
    out, best = np.empty_like(a), float("inf")
    for _ in range(5):
        start = time.perf_counter()
        np.matmul(a, a, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def flops(sizes: list, n: int) -> float:
    """Multiply-adds ×2 of an epoch: forward, δ W (not for the first layer) and δᵀ a."""
    layers = list(zip(sizes[:-1], sizes[1:], strict=True))
    return 2 * n * sum(i * o * (3 if k else 2) for k, (i, o) in enumerate(layers))


def machine() -> str:
    from threadpoolctl import threadpool_info
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    blas = "; ".join(f"{i['internal_api']} {i['version']} {i.get('architecture')} "
                     f"({i['num_threads']} threads)" for i in threadpool_info()
                     if i["user_api"] == "blas")
    versions = [f"numpy {np.__version__}"]
    for name in ("torch", "sklearn", "numba"):
        try:
            versions.append(f"{name} {__import__(name).__version__}")
        except ImportError:
            versions.append(f"{name} absent")
    return (f"{datetime.date.today()}, {cpu}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {', '.join(versions)}; BLAS: {blas}")


def fmt(x: float) -> str:
    return "–" if x != x else f"{x:.3f}" if x < 10 else f"{x:.1f}"


def main_table(r: dict, peak: float, n: int) -> list[str]:
    head = ["network", "batch", "nudges f32 s", "nudges f64 s", "NumPy-only f32 s", "book s",
            "torch 1t s", "torch 2t s", "sklearn s", "jax s", "products s", "FLOP floor s",
            "book ÷ nudges", "torch ÷ nudges", "sklearn ÷ nudges", "jax ÷ nudges",
            "nudges ÷ products"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for sizes, size in MAIN:
        t = {s: median(r[s], sizes, size) for s in r}
        torch_best, ours = min(t["torch-1t"], t["torch-2t"]), t["nudges-f32"]
        cells = [t[s] for s in PEERS] + [flops(sizes, n) / peak / 1e9]
        ratios = [t["book"] / ours, torch_best / ours, t["sklearn"] / ours, t["jax"] / ours,
                  ours / t["matmul"]]
        lines.append(f"| {'-'.join(map(str, sizes))} | {size} | " + " | ".join(
            [fmt(c) for c in cells] + [f"{x:.1f}x" if x > 3 else f"{x:.2f}x" for x in ratios])
            + " |")
    return lines


def accuracy_table(r: dict) -> list[str]:
    systems = ("nudges-f32", "nudges-f64", "book", "torch-2t", "sklearn", "jax")
    lines = ["| network | batch | " + " | ".join(systems) + " |", "|" + "---|" * 8]
    for sizes, size in MAIN:
        accs = [100 * median(r[s], sizes, size, "accuracy") for s in systems]
        lines.append(f"| {'-'.join(map(str, sizes))} | {size} | "
                     + " | ".join(f"{a:.2f}" for a in accs) + " |")
    return lines


def memory_table(r: dict, n: int) -> list[str]:
    lines = ["| system | RSS before training MB | peak RSS in training MB | increase MB |",
             "|---|---|---|---|"]
    for system, runs in r.items():
        before = statistics.median(run["rss_before_mb"] for run in runs)
        peak = statistics.median(run["peak_mb"] for run in runs)
        lines.append(f"| {system} | {before:.0f} | {peak:.0f} | {peak - before:.0f} |")
    lines.append(f"\nThe float32 training set is {n * 784 * 4 / 2**20:.0f} MiB "
                 f"({n:,} × 784 × 4 bytes).")
    return lines


def scaling_table(r: dict, peak: float, n: int) -> list[str]:
    lines = ["| network | batch | nudges f32 s | torch 2t s | products s | FLOP floor s | "
             "nudges ÷ products | torch ÷ products |", "|" + "---|" * 8]
    for sizes, size in HIDDEN + GROWING:
        ours, torch, mm = (median(r[s], sizes, size) for s in SCALED)
        lines.append(f"| {'-'.join(map(str, sizes))} | {size} | {fmt(ours)} | {fmt(torch)} | "
                     f"{fmt(mm)} | {fmt(flops(sizes, n) / peak / 1e9)} | {ours / mm:.2f}x | "
                     f"{torch / mm:.2f}x |")
    return lines


def targets(r: dict) -> list[tuple[str, bool, str]]:
    """(target, passed, measured) for each target of issue 4."""
    def t(system: str, sizes: list, size: int, key: str = "seconds") -> float:
        return median(r[system], sizes, size, key)
    small, wide = [784, 30, 10], [784, 100, 10]
    ours = t("nudges-f32", small, 10)
    torch10 = min(t("torch-1t", small, 10), t("torch-2t", small, 10))
    ours100 = t("nudges-f32", small, 100)
    torch100 = min(t("torch-1t", small, 100), t("torch-2t", small, 100))
    book_acc, our_acc = t("book", small, 10, "accuracy"), t("nudges-f32", small, 10, "accuracy")
    spread = [run["results"][0]["accuracy"] for run in r["nudges-f32"]]
    checks = [
        ("batch 10, 784-30-10: ≥ 25x faster than the book's loop", t("book", small, 10) / ours, 25),
        ("batch 10, 784-30-10: ≥ 12x faster than PyTorch (faster of 1, 2 threads)",
         torch10 / ours, 12),
        ("batch 10, 784-30-10: ≤ 1.6x the products-only time", ours / t("matmul", small, 10),
         -1.6),
        ("batch 100, 784-30-10: ≥ 2.5x faster than PyTorch", torch100 / ours100, 2.5),
        ("batch 100, 784-30-10: ≥ 2.5x faster than scikit-learn",
         t("sklearn", small, 100) / ours100, 2.5),
        ("batch 1000, 784-100-10: ≤ 1.3x the products-only time",
         t("nudges-f32", wide, 1000) / t("matmul", wide, 1000), -1.3),
    ]
    out = [(name, value >= bound if bound > 0 else value <= -bound, f"{value:.2f}x")
           for name, value, bound in checks]
    gap = 100 * abs(our_acc - book_acc)
    out.append(("accuracy after one epoch = the book's within seed noise (≤ 1 point)", gap <= 1,
                f"{100 * our_acc:.2f}% vs {100 * book_acc:.2f}% (nudges over seeds: "
                f"{100 * min(spread):.2f}–{100 * max(spread):.2f}%)"))
    return out


def peer_targets(r: dict) -> list[tuple[str, bool, str]]:
    """Issue 22: at batch 10, nudges ≥ 1.5x faster than the fastest of its peers."""
    out = []
    for sizes in ([784, 30, 10], [784, 100, 10]):
        peers = {s: median(r[s], sizes, 10) for s in ("torch-1t", "torch-2t", "sklearn", "jax")}
        fastest = min((s for s in peers if peers[s] == peers[s]), key=peers.__getitem__)
        ratio = peers[fastest] / median(r["nudges-f32"], sizes, 10)
        out.append((f"batch 10, {'-'.join(map(str, sizes))}: ≥ 1.5x faster than the fastest "
                    f"peer ({fastest})", ratio >= 1.5, f"{ratio:.2f}x"))
    return out


def plot(r: dict, peak: float, n: int, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, configs, axis, label in ((axes[0], HIDDEN, 1, "hidden neurons (784-h-10, batch 10)"),
                                     (axes[1], GROWING, None, "batch size (784-30-10)")):
        xs = [sizes[axis] if axis else size for sizes, size in configs]
        for system, style in zip(SCALED, ("o-", "s-", "k--"), strict=True):
            ax.plot(xs, [median(r[system], s, b) for s, b in configs], style, label=system)
        ax.plot(xs, [flops(s, n) / peak / 1e9 for s, _ in configs], "k:", label="FLOP floor")
        ax.set(xscale="log", yscale="log", xlabel=label, ylabel="seconds per epoch")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    fig.suptitle("One epoch of SGD on MNIST: overhead-bound (flat) vs arithmetic-bound (rising)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def report(r: dict, peak: float, n: int, command: str) -> list[str]:
    lines = [f"Measured {machine()}.", "", f"Command: `{command}`; {n:,} training images, "
             f"medians of {len(r['book'])} repeats; measured float32 peak "
             f"{peak:.0f} GFLOP/s.", "", "### Seconds per epoch, and ratios", ""]
    lines += main_table(r, peak, n)
    lines += ["", "### Test accuracy after one epoch (%)", ""] + accuracy_table(r)
    lines += ["", "### Scaling (seconds per epoch)", ""] + scaling_table(r, peak, n)
    lines += ["", "### Peak memory of each system's process", ""] + memory_table(r, n)
    imports = statistics.median(run["import_s"] for run in r["nudges-f32"])
    warm = statistics.median(run["warmup_s"] for run in r["nudges-f32"])
    lines += ["", f"One-time cost of the compiled step in a fresh process: import "
              f"{imports:.2f} s, first epochs on 200 images, 2 and 3 layers "
              f"(compile or load the cache) "
              f"{warm:.2f} s.", "", "### Targets", ""]
    for name, passed, value in targets(r) + peer_targets(r):
        lines.append(f"- {'PASS' if passed else 'FAIL'}: {name}: {value}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.environ.get("NUDGES_DATA"),
                        help="folder with the MNIST files (default: $NUDGES_DATA)")
    parser.add_argument("--quick", action="store_true", help="10,000 images, 1 repeat")
    parser.add_argument("--repeats", type=int, default=5, help="repeats (default: 5)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    parser.add_argument("--plot", type=Path, help="draw the scaling plot (PNG) here")
    args = parser.parse_args(argv)
    n, repeats = (10_000, 1) if args.quick else (50_000, args.repeats)
    started = time.perf_counter()
    results = measure_all(args.data, repeats, n, PEERS)
    peak = peak_gflops()
    command = "python benchmarks/bench.py " + " ".join(sys.argv[1:] if argv is None else argv)
    print("\n".join(report(results, peak, n, command)))
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps({"peak_gflops": peak, "n": n, "results": results}))
    if args.plot:
        plot(results, peak, n, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
