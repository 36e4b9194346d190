"""One epoch of plain mini-batch SGD on MNIST, written for each system that bench.py compares.

Run as a worker: `python systems.py SYSTEM DATA CONFIGS_JSON SEED` prints one JSON object
with, for each config, the seconds of the epoch (timed around the epoch only) and the test
accuracy after it, plus the process's memory. Every system starts from the same weights
(nudges' "scaled" init for `seed`), except scikit-learn, which draws its own.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from jax_system import jax_run

SYSTEMS = ("nudges-f32", "nudges-f64", "nudges-f32-numpy", "book", "torch-1t", "torch-2t",
           "sklearn", "jax", "matmul")
ETA = 3.0   # the book's learning rate for sigmoid + quadratic cost


# -- the book's algorithm (Nielsen, network.py), one backprop per example --------------------
def book_epoch(weights, biases, x, y_onehot, order, size):
    """Nielsen's update_mini_batch: column vectors, per-example backprop, summed gradients."""
    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))
    for start in range(0, len(order), size):
        batch = order[start:start + size]
        nabla_b = [np.zeros(b.shape) for b in biases]
        nabla_w = [np.zeros(w.shape) for w in weights]
        for i in batch:
            activation = x[i].reshape(-1, 1)
            activations, zs = [activation], []
            for b, w in zip(biases, weights, strict=True):
                z = np.dot(w, activation) + b
                zs.append(z)
                activation = sigmoid(z)
                activations.append(activation)
            delta = (activations[-1] - y_onehot[i].reshape(-1, 1)) * sigmoid(zs[-1]) * (
                1 - sigmoid(zs[-1]))
            nabla_b[-1] += delta
            nabla_w[-1] += np.dot(delta, activations[-2].T)
            for k in range(2, len(weights) + 1):
                sp = sigmoid(zs[-k]) * (1 - sigmoid(zs[-k]))
                delta = np.dot(weights[-k + 1].T, delta) * sp
                nabla_b[-k] += delta
                nabla_w[-k] += np.dot(delta, activations[-k - 1].T)
        for w, nw in zip(weights, nabla_w, strict=True):
            w -= (ETA / len(batch)) * nw
        for b, nb in zip(biases, nabla_b, strict=True):
            b -= (ETA / len(batch)) * nb


def book(sizes, size, data, seed):
    from nudges import Network
    (x, y), (x_test, y_test) = data
    net = Network(sizes, seed=seed, dtype="float64")
    weights = [w.copy() for w in net.weights]
    biases = [b.reshape(-1, 1).copy() for b in net.biases]
    onehot = np.eye(sizes[-1])[y]
    order = np.random.default_rng(seed).permutation(len(x))
    start = time.perf_counter()
    book_epoch(weights, biases, x, onehot, order, size)
    seconds = time.perf_counter() - start
    net.weights, net.biases = weights, [b.ravel() for b in biases]
    return seconds, net.accuracy(x_test, y_test)


# -- nudges ------------------------------------------------------------------------------------
def nudges_run(dtype):
    def run(sizes, size, data, seed):
        from nudges import Network
        from nudges.core.checks import as_targets
        from nudges.training.settings import Settings, State
        from nudges.training.sgd import run_epoch
        (x, y), (x_test, y_test) = data
        net = Network(sizes, seed=seed, dtype=dtype)
        x = np.ascontiguousarray(x, dtype=dtype)                   # as sgd's as_batch does
        targets = as_targets(y, sizes[-1], len(x), net.dtype)[0]
        settings, state = Settings(epochs=1, batch_size=size, eta=ETA), State.start(net, seed)
        start = time.perf_counter()
        run_epoch(net, x, targets, settings, state)
        seconds = time.perf_counter() - start
        return seconds, net.accuracy(x_test, y_test)
    return run


# -- PyTorch on the CPU ------------------------------------------------------------------------
def torch_run(threads):
    def run(sizes, size, data, seed):
        import torch

        from nudges import Network
        torch.set_num_threads(threads)
        (x, y), (x_test, y_test) = data
        init = Network(sizes, seed=seed)
        layers = []
        for w, b in zip(init.weights, init.biases, strict=True):
            linear = torch.nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w))
                linear.bias.copy_(torch.from_numpy(b))
            layers += [linear, torch.nn.Sigmoid()]
        model = torch.nn.Sequential(*layers)
        optimizer = torch.optim.SGD(model.parameters(), lr=ETA)
        inputs = torch.from_numpy(x)
        onehot = torch.nn.functional.one_hot(torch.from_numpy(y), sizes[-1]).float()
        order = torch.from_numpy(np.random.default_rng(seed).permutation(len(x)))
        start = time.perf_counter()
        for first in range(0, len(x), size):
            batch = order[first:first + size]
            optimizer.zero_grad()
            out = model(inputs[batch])
            loss = 0.5 * ((out - onehot[batch]) ** 2).sum(dim=1).mean()   # the same C
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            predicted = model(torch.from_numpy(x_test)).argmax(dim=1).numpy()
        return seconds, float((predicted == y_test).mean())
    return run


# -- scikit-learn --------------------------------------------------------------------------------
def sklearn_run(sizes, size, data, seed):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    (x, y), (x_test, y_test) = data
    model = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="logistic",
                          solver="sgd", momentum=0.0, nesterovs_momentum=False, alpha=0.0,
                          batch_size=size, learning_rate_init=0.5, max_iter=1, shuffle=True,
                          random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(x, y)
        seconds = time.perf_counter() - start
    return seconds, float(model.score(x_test, y_test))


# -- the floor: the same matrix products and nothing else ---------------------------------------
def matmul_run(sizes, size, data, seed):
    """Forward a W^T, backward δ W and δ^T a, per batch, into preallocated buffers."""
    (x, _), _ = data
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((o, i), dtype=np.float32) / np.sqrt(i)
               for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    acts = [np.zeros((size, n), np.float32) for n in sizes]
    deltas = [rng.random((size, n), dtype=np.float32) for n in sizes[1:]]
    grads = [np.zeros_like(w) for w in weights]
    weights_t = [w.T for w in weights]
    start = time.perf_counter()
    for first in range(0, len(x), size):
        m = min(size, len(x) - first)
        for k, w_t in enumerate(weights_t):
            np.matmul(acts[k][:m], w_t, out=acts[k + 1][:m])
        for k in range(len(weights) - 1, -1, -1):
            np.matmul(deltas[k][:m].T, acts[k][:m], out=grads[k])
            if k:
                np.matmul(deltas[k][:m], weights[k], out=deltas[k - 1][:m])
    return time.perf_counter() - start, None


RUNS = {"nudges-f32": nudges_run("float32"), "nudges-f64": nudges_run("float64"),
        "nudges-f32-numpy": nudges_run("float32"), "book": book, "torch-1t": torch_run(1),
        "torch-2t": torch_run(2), "sklearn": sklearn_run, "jax": jax_run, "matmul": matmul_run}


def rss_mb(field):
    """VmRSS or VmHWM (peak) of this process, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


DTYPES = {"nudges-f64": np.float64, "book": np.float64}   # the others train in float32


def load(path, n_train, system):
    """((x, y), test) with x contiguous in the system's dtype, converted once, before timing."""
    from nudges.data.mnist import load_mnist
    dataset = load_mnist(path)
    (x, y), test = dataset.train, dataset.test
    x = np.ascontiguousarray(x[:n_train], dtype=DTYPES.get(system, np.float32))
    return (x, y[:n_train]), test


def main(system, path, configs, seed, n_train):
    if system == "nudges-f32-numpy":
        sys.modules["numba"] = None            # as if numba were not installed
    started = time.perf_counter()
    if system.startswith("torch"):
        import torch  # noqa: F401
    import_seconds = time.perf_counter() - started
    data = load(path, n_train, system)
    run = RUNS[system]
    warm = time.perf_counter()
    for sizes in ([784, 16, 10], [784, 16, 16, 10]):    # compile (or load) for both depths
        run(sizes, 10, ((data[0][0][:200], data[0][1][:200]), data[1]), seed)
    warm_seconds = time.perf_counter() - warm
    before = rss_mb("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")                    # resets VmHWM: the peak from here on
    except OSError:
        pass
    results = []
    for sizes, size in configs:
        seconds, accuracy = run(sizes, size, data, seed)
        results.append({"sizes": sizes, "batch": size, "seconds": seconds, "accuracy": accuracy})
    print(json.dumps({"system": system, "results": results, "rss_before_mb": before,
                      "peak_mb": rss_mb("VmHWM"), "import_s": import_seconds,
                      "warmup_s": warm_seconds}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
