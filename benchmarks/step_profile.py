"""Where a compiled step's time goes at batch 10, on one thread: its products against the rest.

    python benchmarks/step_profile.py --data ../shared/data/mnist
    python benchmarks/step_profile.py --data ../shared/data/mnist --images 50000 --repeats 5

For 784-30-10 and 784-100-10 (σ, quadratic cost, SGD, float32, batch 10) it times:

- one epoch of `nudges.training.run_epoch` (the compiled engine), the best of --repeats;
- the same epoch's matrix products alone: a numba loop that makes exactly the step's np.dot
  calls (forward a Wᵀ for each layer, δ W for the second layer, δᵀ a for each layer) on the
  same shapes, through the same BLAS (SciPy's, which numba calls);
- each product alone, in its own loop;

and a single-thread float32 sgemm (2048³, through the same BLAS) as the peak. Prints one
Markdown table per network: each product's µs and GFLOP/s, the products' sum, the epoch, and
what is left (the elementwise work, the update, the gather): issue 22's "closer to the hardware"
targets (60% and 45% of peak for the whole step) are bounded by what the products reach alone.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from busy import header, timed  # noqa: E402

BATCH = 10
NETWORKS = ([784, 30, 10], [784, 100, 10])


Shape = tuple[int, int]
Product = tuple[str, Shape, Shape, bool, bool]


def products(sizes: list[int]) -> list[Product]:
    """The step's products: (name, the left's and the right's shapes as stored, whether each is
    used transposed: δᵀ and Wᵀ are transposed views, as in the engine)."""
    n_in, hidden, n_out = sizes
    return [(f"a Wᵀ  {BATCH}×{n_in} · {n_in}×{hidden}", (BATCH, n_in), (hidden, n_in), False, True),
            (f"a Wᵀ  {BATCH}×{hidden} · {hidden}×{n_out}", (BATCH, hidden), (n_out, hidden), False,
             True),
            (f"δ W   {BATCH}×{n_out} · {n_out}×{hidden}", (BATCH, n_out), (n_out, hidden), False,
             False),
            (f"δᵀ a  {hidden}×{BATCH} · {BATCH}×{n_in}", (BATCH, hidden), (BATCH, n_in), True,
             False),
            (f"δᵀ a  {n_out}×{BATCH} · {BATCH}×{hidden}", (BATCH, n_out), (BATCH, hidden), True,
             False)]


@functools.cache
def compiled_loops():  # type: ignore[no-untyped-def]
    """A numba loop making one product `steps` times (left · right or left · rightᵀ, into out),
    compiled once, so that every product goes through the BLAS the compiled engine uses."""
    from numba import njit

    @njit(cache=False)
    def repeat(left, right, out, transposed, steps):  # type: ignore[no-untyped-def]
        for _ in range(steps):
            if transposed:
                np.dot(left, right.T, out)
            else:
                np.dot(left, right, out)
    return repeat


def arrays(shape_left: Shape, shape_right: Shape, left_transposed: bool, transposed: bool
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The product's operands, laid out as the engine's are (the left as a view), and its
    output."""
    rng = np.random.default_rng(0)
    left = rng.random(shape_left, dtype=np.float32)
    right = rng.random(shape_right, dtype=np.float32)
    left = left.T if left_transposed else left                       # d.T: (n_out, BATCH)
    out_shape = (left.shape[0], shape_right[0] if transposed else shape_right[1])
    return left, right, np.zeros(out_shape, np.float32)


def time_products(sizes: list[int], steps: int, repeats: int) -> list[tuple[str, float, float]]:
    """(name, seconds for `steps` of it, GFLOP) for each of the step's products, best of
    repeats."""
    repeat = compiled_loops()
    rows = []
    for name, left_shape, right_shape, left_transposed, transposed in products(sizes):
        left, right, out = arrays(left_shape, right_shape, left_transposed, transposed)
        repeat(left, right, out, transposed, 2)                          # compile, warm
        best = min(timed(repeat, left, right, out, transposed, steps) for _ in range(repeats))
        flops = 2 * left.shape[0] * left.shape[1] * out.shape[1] * steps / 1e9
        rows.append((name, best, flops))
    return rows


def peak(repeats: int = 3, n: int = 2048) -> float:
    """A single-thread float32 n³ product through numba's BLAS, best of repeats, GFLOP/s."""
    repeat = compiled_loops()
    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    out = np.zeros_like(a)
    repeat(a, a, out, False, 1)
    return 2 * n**3 / min(timed(repeat, a, a, out, False, 1) for _ in range(repeats)) / 1e9


def epoch(sizes: list[int], x: np.ndarray, y: np.ndarray, repeats: int) -> float:
    """The best of `repeats` compiled epochs of SGD (η = 3) at batch 10, seconds."""
    from nudges import Network
    from nudges.core.checks import as_targets
    from nudges.training.settings import Settings, State
    from nudges.training.sgd import Steppers, run_epoch

    net = Network(sizes, seed=0, dtype="float32")
    targets = as_targets(y, sizes[-1], len(x), net.dtype)[0]
    settings, state = Settings(epochs=repeats + 1, batch_size=BATCH, eta=3.0), State.start(net, 0)
    steppers, times = Steppers(net, BATCH, "compiled"), []
    for _ in range(repeats + 1):                                           # the first warms up
        start = time.perf_counter()
        run_epoch(net, x, targets, settings, state, steppers=steppers)
        times.append(time.perf_counter() - start)
    return min(times[1:])


def table(sizes: list[int], rows: list[tuple[str, float, float]], seconds: float,
          top: float) -> str:
    """One network's Markdown table."""
    lines = [f"**{'-'.join(map(str, sizes))}**, batch {BATCH}, one epoch:", "",
             "| work | s | GFLOP/s | of peak | share of the epoch |", "|---|---|---|---|---|"]
    for name, s, flops in rows:
        lines.append(f"| `{name}` | {s:.4f} | {flops / s:.0f} | {flops / s / top:.0%} | "
                     f"{s / seconds:.0%} |")
    spent, flops = sum(r[1] for r in rows), sum(r[2] for r in rows)
    lines += [f"| the products | {spent:.4f} | {flops / spent:.0f} | {flops / spent / top:.0%} "
              f"| {spent / seconds:.0%} |",
              f"| the whole epoch | {seconds:.4f} | {flops / seconds:.0f} | "
              f"{flops / seconds / top:.0%} | 100% |",
              f"| the rest (σ, δ, update, gather) | {seconds - spent:.4f} | | | "
              f"{(seconds - spent) / seconds:.0%} |"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=os.environ.get("NUDGES_DATA"),
                   help="folder with the MNIST files (default: $NUDGES_DATA)")
    p.add_argument("--images", type=int, default=20_000, help="images an epoch (default 20,000)")
    p.add_argument("--repeats", type=int, default=3, help="epochs timed (default 3)")
    args = p.parse_args(argv)
    from threadpoolctl import threadpool_limits

    from nudges.data.mnist import load_mnist
    x, y = load_mnist(args.data).train
    x, y = np.ascontiguousarray(x[:args.images], dtype=np.float32), y[:args.images]
    compiled_loops()(x[:1], x[:1], np.zeros((1, 1), np.float32), True, 1)   # loads SciPy's BLAS
    with threadpool_limits(limits=1):
        top = peak()
        print(f"{header()} Single-thread float32 peak (2048³ through numba's BLAS): "
              f"{top:.0f} GFLOP/s.\nCommand: python benchmarks/step_profile.py --images "
              f"{args.images} --repeats {args.repeats}\n")
        for sizes in NETWORKS:
            seconds = epoch(sizes, x, y, args.repeats)
            rows = time_products(sizes, args.images // BATCH, args.repeats)
            print(table(sizes, rows, seconds, top) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
