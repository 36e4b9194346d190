"""What successive halving adds to each trial: 200 one-epoch trials of a tiny network
(784-4-10 on 200 of the sample's digits), as a grid and as `--search halving`, in a plain loop
(workers=0), alternating, 4 runs each; the first of each is a warm-up. One epoch makes one
rung, so the difference is the halving's own bookkeeping (issue 22's target: at most 10%).

    python benchmarks/halving_overhead.py
"""
import dataclasses
import statistics
import tempfile
import time

import numpy as np

import nudges
from nudges.sweeps.spec import Spec

d = nudges.load_sample()
small = dataclasses.replace(d, train=(d.train[0][:200], d.train[1][:200]),
                            validation=(d.validation[0][:100], d.validation[1][:100]),
                            test=(d.test[0][:100], d.test[1][:100]))
grid = {"eta": [float(e) for e in np.linspace(0.1, 3.0, 200)]}
fixed = {"hidden": 4, "epochs": 1, "batch_size": 20}
out = {"grid": [], "halving": []}
for r in range(4):
    for search in ("grid", "halving"):
        with tempfile.TemporaryDirectory() as tmp:
            spec = Spec(dict(grid), dict(fixed), search=search)
            t = time.perf_counter()
            rows = nudges.sweep(spec, small, results=f"{tmp}/s.jsonl", workers=0, max_trials=200)
            dt = time.perf_counter() - t
        if r:
            out[search].append(dt / len(rows) * 1000)
        print(search, len(rows), f"{dt / len(rows) * 1000:.2f} ms a trial", flush=True)
g, h = statistics.median(out["grid"]), statistics.median(out["halving"])
print(f"medians (runs 2-4): grid {g:.2f} ms, halving {h:.2f} ms a trial, halving/grid {h/g:.3f}")
print("pairs:", [f"{b/a:.3f}" for a, b in zip(out["grid"], out["halving"])])
