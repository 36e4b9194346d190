"""Two checkouts' nudges rows of bench.py, side by side: before and after a change.

    git worktree add ../before <commit>                 # the code to compare against
    python benchmarks/ab.py ../before . --data ../shared/data/mnist --repeats 4
    python benchmarks/ab.py ../before . --systems nudges-f64 --grid '[[[784,100,10],1000]]'

Each checkout's own benchmarks/systems.py runs in its own process, with that checkout's src on
PYTHONPATH, the two alternating within every repeat (so a machine that slows down slows both),
each going first in every other repeat (so neither gains from its place);
each cell is the minimum over repeats of one epoch's seconds. Prints a Markdown table with the
ratio after ÷ before for every row of bench.py's MAIN grid and each nudges system.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from bench import MAIN

SYSTEMS = ("nudges-f32", "nudges-f64", "nudges-f32-numpy")


def epochs(tree: Path, system: str, data: str, seed: int, n: int, grid: list
           ) -> dict[tuple, float]:
    """{(network, batch): seconds} from one run of the checkout's systems.py."""
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    done = subprocess.run([sys.executable, str(tree / "benchmarks" / "systems.py"), system, data,
                           json.dumps(grid), str(seed), str(n)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{tree} {system} failed:\n{done.stderr[-3000:]}")
    rows = json.loads(done.stdout.strip().splitlines()[-1])["results"]
    return {("-".join(map(str, r["sizes"])), r["batch"]): r["seconds"] for r in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path, help="the checkout to compare against")
    parser.add_argument("after", type=Path, help="the checkout with the change")
    parser.add_argument("--data", default=os.environ.get("NUDGES_DATA"),
                        help="folder with the MNIST files (default: $NUDGES_DATA)")
    parser.add_argument("--repeats", type=int, default=4, help="repeats (default: 4)")
    parser.add_argument("--images", type=int, default=20_000, help="images per epoch")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help=f"comma-separated (default: {','.join(SYSTEMS)})")
    parser.add_argument("--grid", type=json.loads, default=MAIN,
                        help="JSON [[sizes, batch], ...] (default: bench.py's MAIN grid)")
    args = parser.parse_args(argv)
    best: dict[tuple, float] = {}
    for repeat in range(args.repeats):
        for system in args.systems.split(","):
            sides = (("before", args.before), ("after", args.after))
            for side, tree in sides[::1 if repeat % 2 == 0 else -1]:   # each goes first by turns
                for row, seconds in epochs(tree.resolve(), system, args.data, repeat,
                                           args.images, args.grid).items():
                    key = (system, *row, side)
                    best[key] = min(best.get(key, seconds), seconds)
            print(f"  repeat {repeat + 1}/{args.repeats} {system} done", file=sys.stderr)
    print(f"{datetime.date.today()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores; `python benchmarks/ab.py {args.before} {args.after} "
          f"--repeats {args.repeats} --images {args.images} --systems {args.systems}"
          f"{'' if args.grid == MAIN else ' --grid ' + repr(json.dumps(args.grid))}`\n")
    print("| system | network | batch | before s | after s | after ÷ before |")
    print("|---|---|---|---|---|---|")
    for system, net, batch in sorted({k[:3] for k in best}):
        a, b = best[(system, net, batch, "before")], best[(system, net, batch, "after")]
        print(f"| {system} | {net} | {batch} | {a:.4f} | {b:.4f} | {b / a:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
