"""Two checkouts' nudges rows of bench.py, side by side: before and after a change.

    git worktree add ../before <commit>                 # the code to compare against
    python benchmarks/ab.py ../before . --data ../shared/data/mnist --repeats 4
    python benchmarks/ab.py ../before . --systems nudges-f64 --grid '[[[784,100,10],1000]]'

Each checkout's own benchmarks/systems.py runs in its own process, with that checkout's src on
PYTHONPATH, the two alternating within every repeat (so a machine that slows down slows both),
each going first in every other repeat (so neither gains from its place);
each time cell is the minimum over repeats of one epoch's seconds. Prints a Markdown table with
two ratios after ÷ before for every row of bench.py's MAIN grid and each nudges system: of the
fastest epochs, and the median over repeats of each repeat's own ratio (the two sides of a
repeat run minutes apart at most, with the same seed, so a machine whose speed drifts between
repeats moves both). `python benchmarks/ab.py ../before ../before` measures the noise.
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
from pathlib import Path

from bench import MAIN

SYSTEMS = ("nudges-f32", "nudges-f64", "nudges-f32-numpy")


def epochs(tree: Path, system: str, data: str, seed: int, n: int, grid: list
           ) -> dict[tuple, float]:
    """{(network, batch): seconds} from one run of the checkout's systems.py: the fastest of a
    row's epochs when the grid holds it more than once."""
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    done = subprocess.run([sys.executable, str(tree / "benchmarks" / "systems.py"), system, data,
                           json.dumps(grid), str(seed), str(n)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{tree} {system} failed:\n{done.stderr[-3000:]}")
    fastest: dict[tuple, float] = {}
    for r in json.loads(done.stdout.strip().splitlines()[-1])["results"]:
        row = ("-".join(map(str, r["sizes"])), r["batch"])
        fastest[row] = min(fastest.get(row, r["seconds"]), r["seconds"])
    return fastest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path, help="the checkout to compare against")
    parser.add_argument("after", type=Path, help="the checkout with the change")
    parser.add_argument("--data", default=os.environ.get("NUDGES_DATA"),
                        help="folder with the MNIST files (default: $NUDGES_DATA)")
    parser.add_argument("--repeats", type=int, default=4, help="repeats (default: 4)")
    parser.add_argument("--images", type=int, default=20_000, help="images per epoch")
    parser.add_argument("--epochs", type=int, default=1,
                        help="epochs of each row in each process, the fastest kept (default: 1)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help=f"comma-separated (default: {','.join(SYSTEMS)})")
    parser.add_argument("--grid", type=json.loads, default=MAIN,
                        help="JSON [[sizes, batch], ...] (default: bench.py's MAIN grid)")
    args = parser.parse_args(argv)
    best: dict[tuple, float] = {}
    ratios: dict[tuple, list[float]] = {}
    for repeat in range(args.repeats):
        for system in args.systems.split(","):
            sides = (("before", args.before), ("after", args.after))
            times = {}
            for side, tree in sides[::1 if repeat % 2 == 0 else -1]:   # each goes first by turns
                times[side] = epochs(tree.resolve(), system, args.data, repeat, args.images,
                                     [row for row in args.grid for _ in range(args.epochs)])
                for row, seconds in times[side].items():
                    key = (system, *row, side)
                    best[key] = min(best.get(key, seconds), seconds)
            for row, seconds in times["after"].items():
                ratios.setdefault((system, *row), []).append(seconds / times["before"][row])
            print(f"  repeat {repeat + 1}/{args.repeats} {system} done", file=sys.stderr)
    print(f"{datetime.date.today()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores; `python benchmarks/ab.py {args.before} {args.after} "
          f"--repeats {args.repeats} --epochs {args.epochs} --images {args.images} "
          f"--systems {args.systems}"
          f"{'' if args.grid == MAIN else ' --grid ' + repr(json.dumps(args.grid))}`\n")
    print("| system | network | batch | before s | after s | after ÷ before | median of pairs |")
    print("|---|---|---|---|---|---|---|")
    for system, net, batch in sorted({k[:3] for k in best}):
        a, b = best[(system, net, batch, "before")], best[(system, net, batch, "after")]
        paired = statistics.median(ratios[(system, net, batch)])
        print(f"| {system} | {net} | {batch} | {a:.4f} | {b:.4f} | {b / a:.3f} | {paired:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
