"""The NumPy engine: the reference step's arithmetic in buffers allocated once per epoch.

engines.reference_step (trace, backward, gradient_from, the optimizer's update) is the
readable step; this does the same arithmetic into buffers allocated once per epoch, so a
mini-batch of 10 costs little more than its matrix products:

- one gather per batch, `np.take(x, batch, axis=0, out=...)`, from the contiguous data set;
- z = a Wᵀ + b into one buffer, and a = σ(z) into another, beside it, since σ'(z) = prime(z, a)
  may need both: the activation's own `f` and `prime`, rewritten by code to write into buffers
  (nudges.engines.in_place: the same ufuncs in the same order, so the same numbers);
- δ^L as the cost's own δ, rewritten the same way, into a buffer;
- 1/n folded into δ^L (small) instead of into each ∂C/∂W (large): every δ below is linear in
  δ^L, so each carries the 1/n and each gradient is one matrix product into a buffer; then the
  optimizer's own update, the same function the reference runs.

Results equal the reference's within float32 (or float64) rounding, not bit for bit: 1/n is
applied before the product instead of after.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.activations import Array
from ..core.network import Network
from .in_place import InPlace, in_place
from .reference import Batches, Rule


@dataclass
class Workspace:
    """Buffers for training steps on mini-batches of up to len(inputs) rows.

    inputs (n, sizes[0]); targets (n, sizes[-1]); zs[l], acts[l], deltas[l], primes[l]
    (σ'(z)) and temps[l] (the spare buffers of layer l's in-place forms): (n, sizes[l+1]);
    grad_w[l], grad_b[l] shaped like the parameters (∂C/∂w and ∂C/∂b): views of one flat
    buffer, `gradient`, so that one call checks them all. Where an activation or the cost's
    δ^L runs as written rather than in place (nudges.engines.in_place), a step replaces acts[l]
    or the last deltas with the new array it returns: copying it would cost a call.
    """

    inputs: Array
    targets: Array
    zs: list[Array]
    acts: list[Array]
    deltas: list[Array]
    primes: list[Array]
    temps: list[list[Array]]
    grad_w: list[Array]
    grad_b: list[Array]
    gradient: Array

    @classmethod
    def allocate(cls, net: Network, size: int, temps: list[int]) -> Workspace:
        """Buffers for `net` and mini-batches of `size` rows, temps[l] spares for layer l."""
        def rows(n: int) -> Array:
            return np.zeros((size, n), dtype=net.dtype)
        hidden, shapes = net.sizes[1:], [p.shape for p in net.weights + net.biases]
        gradient = np.zeros(sum(int(np.prod(shape)) for shape in shapes), dtype=net.dtype)
        ends = np.cumsum([int(np.prod(shape)) for shape in shapes])
        views = [gradient[end - int(np.prod(shape)):end].reshape(shape)
                 for shape, end in zip(shapes, ends, strict=True)]
        n_layers = len(net.weights)
        return cls(rows(net.sizes[0]), rows(net.sizes[-1]), [rows(n) for n in hidden],
                   [rows(n) for n in hidden], [rows(n) for n in hidden], [rows(n) for n in hidden],
                   [[rows(n) for _ in range(k)] for n, k in zip(hidden, temps, strict=True)],
                   views[:n_layers], views[n_layers:], gradient)

    def head(self, m: int) -> Workspace:
        """Views of the first m rows (for the last, shorter mini-batch); gradients shared."""
        return Workspace(self.inputs[:m], self.targets[:m], [z[:m] for z in self.zs],
                         [a[:m] for a in self.acts], [d[:m] for d in self.deltas],
                         [p[:m] for p in self.primes], [[t[:m] for t in ts] for ts in self.temps],
                         self.grad_w, self.grad_b, self.gradient)


class NumpyStepper:
    """Runs the reference step's arithmetic for one network with one set of buffers."""

    def __init__(self, net: Network, size: int, rule: Rule) -> None:
        self.net, self.rule = net, rule
        self.spare = [np.zeros_like(w) for w in net.weights] if rule.decay else []   # for λ w
        self.layers = [net.layer_activation(k) for k in range(len(net.weights))]
        self.f = [in_place(layer.f) for layer in self.layers]              # σ into acts[l]
        self.prime = [in_place(layer.prime) if layer.prime else None       # σ' into primes[l]
                      for layer in self.layers]
        self.delta = in_place(net.cost_function.deltas[net.output.name].f)  # δ^L into deltas[L]
        temps = [max(f.temps, prime.temps if prime else 0)
                 for f, prime in zip(self.f, self.prime, strict=True)]
        temps[-1] = max(temps[-1], self.delta.temps)
        self.full = Workspace.allocate(net, size, temps)
        self.weights_t = [w.T for w in net.weights]                 # views, (n_in, n_out)
        self.limit = rule.limit(net.dtype)

    def gather(self, x: Array, targets: Array, batch: np.ndarray) -> Workspace:
        """Copy the batch's rows of x and targets into the buffers (one gather each)."""
        ws = self.full if len(batch) == len(self.full.inputs) else self.full.head(len(batch))
        np.take(x, batch, axis=0, out=ws.inputs, mode="clip")
        np.take(targets, batch, axis=0, out=ws.targets, mode="clip")
        return ws

    def forward(self, ws: Workspace) -> None:
        """zs[l] ← a^(l−1) Wᵀ + b and acts[l] ← σ(zs[l]), in the buffers."""
        a = ws.inputs
        for l, (w_t, b, z, f) in enumerate(zip(self.weights_t, self.net.biases, ws.zs, self.f,
                                               strict=True)):
            np.matmul(a, w_t, out=z)                                 # z (n, n_out)
            z += b
            ws.acts[l] = a = f.function(z, ws.acts[l], ws.temps[l])  # a = σ(z)

    def backward(self, ws: Workspace) -> None:
        """deltas[l] ← δ^l / n: the cost's δ^L / n, then δ^l = (δ^(l+1) W^(l+1)) ⊙ σ'(z^l)."""
        last = len(ws.deltas) - 1
        ws.deltas[last] = self.output_delta(ws, last)
        ws.deltas[last] *= 1 / len(ws.inputs)                      # δ^L / n  (n, n_out)
        for k in range(last - 1, -1, -1):                          # layer k+1, downwards
            np.matmul(ws.deltas[k + 1], self.net.weights[k + 1], out=ws.deltas[k])  # (n, n_k)
            prime: InPlace = self.prime[k]  # type: ignore[assignment]  # hidden: elementwise
            ws.deltas[k] *= prime.function(ws.zs[k], ws.acts[k], ws.primes[k], ws.temps[k])

    def output_delta(self, ws: Workspace, last: int) -> Array:
        """δ^L as Cost.delta computes it, into the buffers: the output's σ'(z^L) into
        primes[last] (None for an output that is not elementwise), then the cost's δ^L."""
        prime, z, a, temps = self.prime[last], ws.zs[last], ws.acts[last], ws.temps[last]
        sigma_prime = None if prime is None else prime.function(z, a, ws.primes[last], temps)
        return self.delta.function(a, ws.targets, sigma_prime, ws.deltas[last], temps)

    def gradients(self, ws: Workspace) -> bool:
        """grad_w[l] ← ∂C/∂W^l = (δ^l / n)ᵀ a^(l−1) (+ (λ/n) W^l), grad_b[l] ← ∂C/∂b^l.
        Whether every |∂C/∂p| is below the rule's limit (so the step is finite):
        two reductions over the flat buffer that holds every gradient (NaN fails both)."""
        a = ws.inputs
        for delta, grad_w, grad_b, out in zip(ws.deltas, ws.grad_w, ws.grad_b, ws.acts,
                                              strict=True):
            np.matmul(delta.T, a, out=grad_w)                        # (n_out, n_in)
            np.add.reduce(delta, axis=0, out=grad_b)                 # (n_out,)
            a = out
        if self.rule.decay:
            for w, g, spare in zip(self.net.weights, ws.grad_w, self.spare, strict=True):
                g += np.multiply(w, self.rule.decay, out=spare)      # + (λ/n) w
        return bool(ws.gradient.max() < self.limit and ws.gradient.min() > -self.limit)

    def steps(self, batches: Batches, first: int, stop: int, slots: list[list[Array]],
              t: int) -> int:
        """Steps first, …, stop − 1; how many finished (a step that would not be finite is
        not taken)."""
        for s in range(first, stop):
            ws = self.gather(batches.x, batches.targets, batches.rows(s))
            self.forward(ws)
            self.backward(ws)
            if not self.gradients(ws):
                return s - first
            self.rule.apply(self.net.weights + self.net.biases, ws.grad_w + ws.grad_b, slots,
                            t + s - first + 1)
        return stop - first
