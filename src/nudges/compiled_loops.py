"""The loops of the compiled engine, as plain Python: the template nudges.compiled compiles.

Each function here is copied into the module that nudges.compiled generates and compiled by
numba there. They name no activation, cost or optimizer: `forward`, `backward` and `step` call
the four dispatchers below by a code (their bodies are generated, one branch per registered
kernel), and the loops that take a kernel parameter (`map_with_bias`, `times_prime_of`, ...)
are specialised per kernel, the parameter replaced by the kernel's name.

Untyped on purpose: numba infers each argument's type (tuples of arrays of either dtype).
"""

import math

import numpy as np


def gather(x, rows, inputs):
    """inputs[i] ← x[rows[i]] for each i < len(rows), one element at a time (vectorised)."""
    for i in range(len(rows)):
        row = rows[i]
        for q in range(x.shape[1]):
            inputs[i, q] = x[row, q]


def forward(inputs, weights, biases, acts, codes):
    """acts[k][:m] ← σ_k(a^(k−1) W^kᵀ + b^k) for every layer; a^0 = inputs (m, n_in)."""
    a, m = inputs, len(inputs)
    for k in range(len(weights)):
        out = acts[k][:m]
        np.dot(a, weights[k].T, out)                                  # z (m, n_out)
        activate(out, biases[k], codes[k])                            # a = σ(z + b)
        a = out


def backward(targets, rows, weights, acts, deltas, codes, delta_code):
    """deltas[k][:m] ← δ^(k+1): the cost's δ^L, then (δ W) ⊙ σ'(z) down the layers."""
    last, m = len(weights) - 1, len(rows)
    output_errors(deltas[last][:m], acts[last], targets, rows, delta_code)
    for k in range(last - 1, -1, -1):
        d = deltas[k][:m]
        np.dot(deltas[k + 1][:m], weights[k + 1], d)                  # δ W  (m, n_k)
        times_prime(d, acts[k], codes[k])                             # ⊙ σ'(z)


def map_with_bias(out, b, f):
    """out[i, j] ← f(out[i, j] + b[j]): an elementwise σ."""
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = f(out[i, j] + b[j])


def rows_with_bias(out, b, row):
    """out[i] ← row(out[i] + b): a σ that needs the whole row (softmax)."""
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] += b[j]
        row(out[i])


def times_prime_of(d, a, prime):
    """d ← d ⊙ σ'(z), σ'(z) from a."""
    for i in range(d.shape[0]):
        for j in range(d.shape[1]):
            d[i, j] *= prime(a[i, j])


def output_errors_of(d, out, targets, rows, delta, prime):
    """d[i, j] ← δ^L of output j for row i, from a, y and σ'(z)."""
    for i in range(d.shape[0]):
        for j in range(d.shape[1]):
            a = out[i, j]
            d[i, j] = delta(a, targets[rows[i], j], prime(a))


def no_prime(a):
    """What a δ^L that asks for σ' of a non-elementwise σ gets: NaN, so the step is refused."""
    return a * math.nan


def gradients(inputs, weights, acts, deltas, grad_w, grad_b, decay, limit):
    """grad_w[k] ← δᵀ a / m + (λ/n) W, grad_b[k] ← Σ δ / m; whether every |g| < limit."""
    a, m, ok = inputs, len(inputs), True
    scale = inputs.dtype.type(1 / m)
    for k in range(len(deltas)):
        d, g, g_b, w = deltas[k][:m], grad_w[k], grad_b[k], weights[k]
        g_b[:] = 0
        for i in range(m):
            for j in range(len(g_b)):
                d[i, j] *= scale                                      # δ / m
                g_b[j] += d[i, j]                                     # ∂C/∂b  (n_out,)
        np.dot(d.T, a, g)                                             # ∂C/∂W  (n_out, n_in)
        for j in range(g.shape[0]):
            ok &= abs(g_b[j]) < limit
        if decay:
            for j in range(g.shape[0]):
                for q in range(g.shape[1]):
                    g[j, q] += decay * w[j, q]                        # + (λ/n) w
        for j in range(g.shape[0]):
            for q in range(g.shape[1]):
                ok &= abs(g[j, q]) < limit
        a = acts[k][:m]
    return ok


def update_with(params, grads, first, second, hyper, t, n_slots, per_step, kernel):
    """Every element of every parameter moved by the optimizer's kernel (its state in place);
    params, grads and the two state slots: flat views, one per parameter."""
    eta, c0, c1, c2 = per_step(hyper[0], hyper[2], hyper[3], hyper[4], t)
    for k in range(len(params)):
        p, g, s0, s1 = params[k], grads[k], first[k], second[k]
        for i in range(len(p)):
            q, v0, v1 = kernel(p[i], g[i], s0[i], s1[i], eta, c0, c1, c2)
            p[i] = q
            if n_slots > 0:
                s0[i] = v0
            if n_slots > 1:
                s1[i] = v1


def step(data, rows, net, buffers, state, hyper, t, codes):
    """One step on rows `rows` of data = (x, targets); False (nothing moved) if it would not
    be finite. net = (weights, biases, every parameter flat); buffers = (inputs, acts, deltas,
    grad_w, grad_b, every gradient flat); state = (first slot, second slot), flat, per
    parameter; hyper = (η, λ/n, c0, c1, c2, limit); codes = (layer codes, δ^L code,
    optimizer code, number of slots)."""
    x, targets = data
    weights, biases, params = net
    inputs, acts, deltas, grad_w, grad_b, grads = buffers
    layer_codes, delta_code, optimizer_code, n_slots = codes
    m = len(rows)
    gather(x, rows, inputs)                                           # the one gather
    forward(inputs[:m], weights, biases, acts, layer_codes)
    backward(targets, rows, weights, acts, deltas, layer_codes, delta_code)
    if not gradients(inputs[:m], weights, acts, deltas, grad_w, grad_b, hyper[1], hyper[5]):
        return False
    update(params, grads, state[0], state[1], hyper, t, n_slots, optimizer_code)
    return True


def steps(data, order, span, net, buffers, state, hyper, codes):
    """Steps first, …, stop − 1 of an epoch, step s on rows order[s·size:(s+1)·size], where
    span = (size, first, stop, t before them); the number that finished."""
    size, first, stop, t = span
    for s in range(first, stop):
        if not step(data, order[s * size:(s + 1) * size], net, buffers, state, hyper,
                    t + s - first + 1, codes):
            return s - first
    return stop - first


TEMPLATE = (gather, forward, backward, no_prime, gradients, step, steps)
LOOPS = (map_with_bias, rows_with_bias, times_prime_of, output_errors_of, update_with)


def activate(out, b, code):  # pragma: no cover - replaced in the generated module
    """out ← σ(out + b) for the activation with this code."""
    raise NotImplementedError


def times_prime(d, a, code):  # pragma: no cover - replaced in the generated module
    """d ← d ⊙ σ'(z) from a, for the (elementwise) activation with this code."""
    raise NotImplementedError


def output_errors(d, out, targets, rows, code):  # pragma: no cover - generated
    """d ← δ^L for the (cost, output activation) with this code."""
    raise NotImplementedError


def update(params, grads, first, second, hyper, t, n_slots, code):  # pragma: no cover
    """Every parameter moved by the optimizer with this code (update_with its kernel)."""
    raise NotImplementedError


