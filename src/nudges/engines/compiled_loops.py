"""The loops of the compiled engine, as plain Python: the template nudges.engines.compiled compiles.

nudges.engines.compiled writes a module for one network's pieces: it binds the names below that this
file only uses (`hidden_f`, `hidden_prime`, `output_f`, `output_prime`, `output_delta`) to the
registries' own functions, compiled by numba; it adds the optimizer's update rewritten for single
numbers (nudges.engines.compiled_updates) and `update_each`, the loop that runs it on every element;
and it copies this file's functions in unchanged. So nothing here knows an activation, a cost or an
optimizer, and no kernel is written twice: each piece's one NumPy text is what numba compiles,
one number at a time where the piece is elementwise.

Untyped on purpose: numba infers each argument's type (tuples of arrays of either dtype).
"""

import numpy as np


def gather(x, targets, rows, inputs, ys):
    """inputs[i] ← x[rows[i]] and ys[i] ← targets[rows[i]] for each i < len(rows)."""
    for i in range(len(rows)):
        row = rows[i]
        for q in range(x.shape[1]):
            inputs[i, q] = x[row, q]
        for q in range(targets.shape[1]):
            ys[i, q] = targets[row, q]


def activate(z, b, a, output):
    """z ← z + b and a ← σ(z), the output layer's σ or the hidden layers'."""
    if output:
        output_layer(z, b, a)
    else:
        for i in range(z.shape[0]):
            for j in range(z.shape[1]):
                z[i, j] += b[j]
                a[i, j] = hidden_f(z[i, j])                            # one number at a time


def output_each(z, b, a):
    """z ← z + b and a ← σ(z) for an elementwise output σ, one number at a time."""
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            z[i, j] += b[j]
            a[i, j] = output_f(z[i, j])


def output_rows(z, b, a):
    """z ← z + b and a ← σ(z) for an output σ that reads whole rows (softmax)."""
    z += b
    a[:] = output_f(z)


def delta_each(z, a, ys, d):
    """d ← δ^L = the cost's δ(a, y, σ'(z)) for an elementwise output σ, one number at a time."""
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            d[i, j] = output_delta(a[i, j], ys[i, j], output_prime(z[i, j], a[i, j]))


def delta_rows(z, a, ys, d):
    """d ← δ^L for an output σ that is not elementwise: its cost's δ(a, y) asks no σ'."""
    d[:] = output_delta(a, ys, None)


def forward(inputs, weights, biases, zs, acts):
    """zs[k][:m] ← a^(k−1) W^kᵀ + b^k and acts[k][:m] ← σ(zs[k]); a^0 = inputs (m, n_in)."""
    a, m, last = inputs, len(inputs), len(weights) - 1
    for k in range(len(weights)):
        z = zs[k][:m]
        np.dot(a, weights[k].T, z)                                    # (m, n_out)
        activate(z, biases[k], acts[k][:m], k == last)                # a = σ(z + b)
        a = acts[k][:m]


def backward(ys, weights, zs, acts, deltas):
    """deltas[k][:m] ← δ^(k+1): the cost's δ^L, then (δ W) ⊙ σ'(z) down the layers."""
    last, m = len(weights) - 1, len(ys)
    z, a = zs[last][:m], acts[last][:m]
    output_layer_delta(z, a, ys, deltas[last][:m])
    for k in range(last - 1, -1, -1):
        d, z, a = deltas[k][:m], zs[k][:m], acts[k][:m]
        np.dot(deltas[k + 1][:m], weights[k + 1], d)                  # δ W  (m, n_k)
        for i in range(m):
            for j in range(d.shape[1]):
                d[i, j] *= hidden_prime(z[i, j], a[i, j])              # ⊙ σ'(z)


def gradients(inputs, weights, acts, deltas, grad_w, grad_b, decay, limit):
    """grad_w[k] ← δᵀ a / m + (λ/n) W, grad_b[k] ← Σ δ / m; whether every |g| < limit. The
    numbers are rounded to the dtype where they meet an element, as NumPy rounds them (R)."""
    a, m, ok, R = inputs, len(inputs), True, inputs.dtype.type
    scale, decay, limit = R(1 / m), R(decay), R(limit)
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


def step(data, rows, net, buffers, state, rule, t):
    """One step on rows `rows` of data = (x, targets); False (nothing moved) if it would not
    be finite. net = (weights, biases, every parameter flat); buffers = (inputs, ys, zs, acts,
    deltas, grad_w, grad_b, every gradient flat); state[i]: parameter i's state arrays, rows;
    rule = (η, λ/n, limit, the optimizer's hyperparameters), all float64."""
    x, targets = data
    weights, biases, params = net
    inputs, ys, zs, acts, deltas, grad_w, grad_b, grads = buffers
    eta, decay, limit, hyper = rule
    m = len(rows)
    gather(x, targets, rows, inputs, ys)                              # the one gather
    forward(inputs[:m], weights, biases, zs, acts)
    backward(ys[:m], weights, zs, acts, deltas)
    if not gradients(inputs[:m], weights, acts, deltas, grad_w, grad_b, decay, limit):
        return False
    for k in range(len(params)):
        update_each(params[k], grads[k], state[k], eta, hyper, t)
    return True


def steps(data, order, span, net, buffers, state, rule):
    """Steps first, …, stop − 1 of an epoch, step s on rows order[s·size:(s+1)·size], where
    span = (size, first, stop, t before them); the number that finished."""
    size, first, stop, t = span
    for s in range(first, stop):
        if not step(data, order[s * size:(s + 1) * size], net, buffers, state, rule,
                    t + s - first + 1):
            return s - first
    return stop - first


TEMPLATE = (gather, activate, output_each, output_rows, delta_each, delta_rows, forward,
            backward, gradients, step, steps)


# The names the template calls, bound in the generated module to the network's own pieces.
def hidden_f(z):  # pragma: no cover - bound in the generated module
    """a = σ(z) of the hidden layers (Activation.f)."""
    raise NotImplementedError


def hidden_prime(z, a):  # pragma: no cover
    """σ'(z) of the hidden layers (Activation.prime)."""
    raise NotImplementedError


def output_f(z):  # pragma: no cover
    """a = σ(z) of the output layer."""
    raise NotImplementedError


def output_prime(z, a):  # pragma: no cover
    """σ'(z) of the output layer (when it is elementwise)."""
    raise NotImplementedError


def output_layer(z, b, a):  # pragma: no cover - bound to output_each or output_rows
    """z ← z + b and a ← σ(z) of the output layer."""
    raise NotImplementedError


def output_layer_delta(z, a, ys, d):  # pragma: no cover - bound to delta_each or delta_rows
    """d ← δ^L."""
    raise NotImplementedError


def output_delta(a, y, sigma_prime):  # pragma: no cover
    """δ^L of the cost for the output layer (Delta.f)."""
    raise NotImplementedError


def optimizer_update(p, g, state, eta, h, t):  # pragma: no cover
    """One step of a parameter (Optimizer.update)."""
    raise NotImplementedError


def update_each(p, g, state, eta, h, t):  # pragma: no cover
    """p[i], state[:, i] ← Optimizer.update(p[i], g[i], state[:, i], …) for every i (generated
    for the optimizer's number of slots)."""
    raise NotImplementedError
