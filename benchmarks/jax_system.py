"""JAX's epoch for bench.py: jit-compiled, one epoch as a lax.scan over the mini-batches, CPU.

The same algorithm as the others in systems.py (σ, quadratic cost, plain SGD with η = 3, the
same initial weights and shuffle); each step gathers its rows inside the scan, as nudges does.
XLA is held to one thread (set before jax is imported), like torch-1t. The epoch is compiled
ahead of time, before the clock starts; the clock stops when its result is ready.
"""

from __future__ import annotations

import os
import time

import numpy as np

XLA_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def jax_run(sizes, size, data, seed, eta=3.0):
    """(seconds of one epoch, test accuracy), or (None, None) where jax is not installed."""
    os.environ.setdefault("XLA_FLAGS", XLA_FLAGS)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None, None
    from nudges import Network
    (x, y), (x_test, y_test) = data
    net = Network(sizes, seed=seed)
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in zip(net.weights, net.biases)]
    n_batches = len(x) // size
    order = np.random.default_rng(seed).permutation(len(x))[:n_batches * size]
    args = (params, jnp.asarray(x), jnp.asarray(np.eye(sizes[-1], dtype=np.float32)[y]),
            jnp.asarray(order.reshape(n_batches, size)))
    epoch = jax.jit(_epoch(jax, jnp, eta)).lower(*args).compile()
    start = time.perf_counter()
    params = jax.block_until_ready(epoch(*args))
    seconds = time.perf_counter() - start
    net.weights = [np.asarray(w) for w, _ in params]
    net.biases = [np.asarray(b) for _, b in params]
    return seconds, net.accuracy(x_test, y_test)


def _epoch(jax, jnp, eta):
    """epoch(params, x, targets, batches) -> params: SGD over the rows of each batch in turn."""
    def cost(params, xb, yb):
        a = xb
        for w, b in params:
            a = jax.nn.sigmoid(a @ w.T + b)                              # (m, n_out)
        return 0.5 * jnp.sum((a - yb) ** 2) / xb.shape[0]

    grad = jax.grad(cost)

    def epoch(params, x, targets, batches):
        def step(p, rows):
            g = grad(p, x[rows], targets[rows])
            return jax.tree_util.tree_map(lambda q, d: q - eta * d, p, g), None
        return jax.lax.scan(step, params, batches)[0]
    return epoch
