"""The walk downhill, drawn: a 2-D slice of the cost surface through a network's parameters,
with the paths of full-batch gradient descent and of mini-batch SGD from the same start.

    θ(α, β) = θ₀ + α u + β v          C(α, β) = (1/n) Σ_x C_x(θ(α, β))

θ is every weight and bias in one vector; θ₀ is the start, u the unit vector from θ₀ to SGD's
end point, and v a filter-normalised random direction (Li et al., 2018: each neuron's incoming
weights drawn at random, then scaled to the norm of that neuron's weights in θ₀; biases 0),
made orthogonal to u and of unit length, so α and β are distances in parameter space and the
drawing is to scale. A point θ of a path is drawn at α = (θ − θ₀)·u, β = (θ − θ₀)·v; the rest,
r = θ − θ₀ − α u − β v, is what the drawing hides. Both paths step with nudges' own training
step (training.train_step). The costs are net.cost's, computed for many θ at once: the network's
layers, activations and cost function, run on stacks of parameters (tested equal).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.activations import Array
from ..core.checks import as_batch, as_targets
from ..core.errors import InvalidInput
from ..core.network import Network, flat
from ..training.settings import Settings, State
from ..training.sgd import train_step

CHUNK = 2_000_000        # activations (grid points x rows x neurons) computed at once


@dataclass(frozen=True)
class Path:
    """One walk, drawn on the plane: α, β and the true cost C(θ_t) of each point, t = 0..steps.

    off_plane[t] = ‖r_t‖, the distance of θ_t from the plane; hidden = √(Σ‖r-part of each
    step‖² / Σ‖step‖²), the fraction of the walk's movement that the drawing does not show.
    """

    alpha: Array
    beta: Array
    cost: Array
    off_plane: Array
    hidden: float


@dataclass(frozen=True)
class Surface:
    """C on a grid: costs[i, j] = C(alphas[j], betas[i]); the two walks; the plane's unit
    vectors u and v (flattened like θ) and its origin θ₀."""

    alphas: Array
    betas: Array
    costs: Array
    gd: Path
    sgd: Path
    theta0: Array
    u: Array
    v: Array


def unflatten(net: Network, theta: Array) -> tuple[list[Array], list[Array]]:
    """The weights and biases (shaped like net's) that θ holds."""
    parts, at = [], 0
    for p in net.weights + net.biases:
        parts.append(theta[at:at + p.size].reshape(p.shape))
        at += p.size
    return parts[:len(net.weights)], parts[len(net.weights):]


def filter_normalised(net: Network, rng: np.random.Generator) -> Array:
    """A random direction d (flattened like θ) with ‖d_j‖ = ‖w_j‖ for each neuron j's incoming
    weights (row j of each weight matrix), and 0 for every bias (Li et al., 2018)."""
    rows = []
    for w in net.weights:
        d = rng.standard_normal(w.shape)                                  # (n_out, n_in)
        d *= np.linalg.norm(w, axis=1, keepdims=True) / np.linalg.norm(d, axis=1, keepdims=True)
        rows.append(d.ravel())
    return np.concatenate(rows + [np.zeros(b.size) for b in net.biases])


def walk(net: Network, x: Array, targets: Array, eta: float, batch_size: int, steps: int,
         rng: np.random.Generator | None) -> list[Array]:
    """θ₀, θ₁, …, θ_steps of training a copy of net by train_step with learning rate eta: on all
    rows each step (rng None: gradient descent), or on mini-batches of batch_size taken in
    order from a shuffle by rng, reshuffled when it runs out (SGD)."""
    net, n = net.copy(), len(x)
    settings, state = Settings(epochs=1, batch_size=batch_size, eta=eta), State.start(net, 0)
    thetas, order = [flat(net.weights, net.biases)], np.arange(0)
    for _ in range(steps):
        if rng is not None and len(order) < batch_size:
            order = rng.permutation(n)
        rows = slice(None) if rng is None else order[:batch_size]
        order = order[batch_size:]
        with np.errstate(over="ignore"):     # its float32 bound on |∂C/∂p| may be inf: fine
            train_step(net, x[rows], targets[rows], settings, n, state)
        thetas.append(flat(net.weights, net.biases))
    return thetas


def plane_costs(net: Network, x: Array, targets: Array, plane: tuple[Array, Array, Array],
                alpha: Array, beta: Array) -> Array:
    """C(α_g, β_g) for points g = 0..G−1 of the plane (θ₀, u, v).  alpha, beta (G,) -> (G,)

    The first layer is linear in θ, so x W(α, β)ᵀ = x W₀ᵀ + α x Uᵀ + β x Vᵀ: three products
    with x serve every point; the later (small) layers run for a chunk of points at once.
    """
    base, *dirs = (unflatten(net, p) for p in plane)
    xw = [x @ ws[0].T.astype(net.dtype) for ws, _ in (base, *dirs)]     # 3 x (n, sizes[1])
    width = max(net.sizes[1:]) * len(x)
    out = np.empty(len(alpha))
    for start in range(0, len(alpha), max(1, CHUNK // width)):
        part = slice(start, start + max(1, CHUNK // width))
        out[part] = _chunk_costs(net, xw, (base, *dirs), targets, alpha[part], beta[part])
    return out


def _chunk_costs(net: Network, xw: list[Array], params: tuple, targets: Array,  # type: ignore[type-arg]
                 alpha: Array, beta: Array) -> Array:
    """plane_costs for a few points: every layer for all of them at once.  -> (G,)"""
    (w0, b0), (wu, bu), (wv, bv) = params
    a_, b_ = (c.astype(net.dtype)[:, None, None] for c in (alpha, beta))  # (G, 1, 1)
    mix = [w + a_ * u + b_ * v for w, u, v in zip(w0[1:], wu[1:], wv[1:])]  # (G, out, in)
    bias = [b + a_ * u + b_ * v for b, u, v in zip(b0, bu, bv)]            # (G, 1, out)
    z = xw[0] + a_ * xw[1] + b_ * xw[2] + bias[0].astype(net.dtype)       # (G, n, sizes[1])
    return stacked_forward_costs(net, z, mix, bias[1:], targets)


def stacked_forward_costs(net: Network, z: Array, weights: list[Array], biases: list[Array],
                          targets: Array) -> Array:
    """C for G networks at once, from their first layer's z on: the layers of net.run.

    z: (G, n, sizes[1]); weights[l]: (G, out, in) and biases[l]: (G, 1, out) of the later
    layers; targets: one-hot (n, sizes[-1]). Returns (G,) mean costs, as net.cost computes.
    """
    for l, (w, b) in enumerate(zip(weights, biases), start=1):
        a = net.layer_activation(l - 1).f(z)
        z = a @ w.astype(net.dtype).transpose(0, 2, 1) + b.astype(net.dtype)  # (G, n, out)
    g, n, k = z.shape
    a = net.output.f(z)
    costs = net.cost_function.value(z.reshape(-1, k), a.reshape(-1, k),
                                    np.tile(targets, (g, 1)), net.output)  # (G n,)
    return np.asarray(costs.reshape(g, n).mean(axis=1), dtype=np.float64)


def unflatten_stack(net: Network, stack: Array) -> tuple[list[Array], list[Array]]:
    """unflatten for G vectors θ at once: stack (G, P) -> weights (G, out, in), biases (G, out),
    in net's dtype."""
    weights: list[Array] = []
    biases: list[Array] = []
    at = 0
    for p in net.weights + net.biases:
        part = stack[:, at:at + p.size].reshape(len(stack), *p.shape).astype(net.dtype)
        (weights if p.ndim == 2 else biases).append(part)
        at += p.size
    return weights, biases


def path_costs(net: Network, x: Array, targets: Array, thetas: list[Array]) -> Array:
    """The cost C(θ_t) of each point of a walk, as net.cost computes it, a chunk of points
    at once: one product x W₁ᵀ for all their first layers.  -> (T,)"""
    out, step, h = [], max(1, CHUNK // (max(net.sizes[1:]) * len(x))), net.sizes[1]
    for start in range(0, len(thetas), step):
        weights, biases = unflatten_stack(net, np.stack(thetas[start:start + step]))
        g = len(weights[0])
        z = (x @ weights[0].reshape(g * h, -1).T).reshape(len(x), g, h)  # (n, G, sizes[1])
        z = z.transpose(1, 0, 2) + biases[0][:, None, :]                 # (G, n, sizes[1])
        out.append(stacked_forward_costs(net, z, weights[1:],
                                         [b[:, None, :] for b in biases[1:]], targets))
    return np.concatenate(out)


def project(thetas: list[Array], plane: tuple[Array, Array, Array], costs: Array) -> Path:
    """A walk's points on the plane (θ₀, u, v), how far each lies off it, and the fraction of
    its movement off it."""
    theta0, u, v = plane
    d = np.stack(thetas) - theta0                                         # (T, P)
    alpha, beta = d @ u, d @ v
    rest = d - np.outer(alpha, u) - np.outer(beta, v)                     # (T, P)
    moved = float(np.square(np.diff(d, axis=0)).sum())
    hid = float(np.square(np.diff(rest, axis=0)).sum())
    return Path(alpha, beta, costs, np.linalg.norm(rest, axis=1),
                float(np.sqrt(hid / moved)) if moved > 0 else 0.0)


def plane_through(net: Network, theta0: Array, end: Array, rng: np.random.Generator
                  ) -> tuple[Array, Array, Array]:
    """(θ₀, u, v): u = (end − θ₀)/‖end − θ₀‖, v the filter-normalised random direction minus
    its u part, of unit length. InvalidInput if the walk did not move."""
    step = end - theta0
    if not np.linalg.norm(step) > 0:
        raise InvalidInput("the walk did not move (eta too small for float rounding?); "
                           "try a larger eta or more steps")
    u = step / np.linalg.norm(step)
    v = filter_normalised(net, rng)
    v -= (v @ u) * u                                                      # Gram-Schmidt
    return theta0, u, v / np.linalg.norm(v)


def grid_axes(paths: list[Path], grid: int, margin: float = 0.25) -> tuple[Array, Array]:
    """α and β values (grid,) each: a square, to scale, around the start and both paths,
    with `margin` of its side to spare on every side."""
    alpha = np.concatenate([p.alpha for p in paths])
    beta = np.concatenate([p.beta for p in paths])
    centre = np.array([alpha.max() + alpha.min(), beta.max() + beta.min()]) / 2
    side = max(np.ptp(alpha), np.ptp(beta)) * (1 + 2 * margin)
    half = np.linspace(-side / 2, side / 2, grid)                        # (grid,)
    return centre[0] + half, centre[1] + half


def cost_surface(net: Network, x: Array, y: np.ndarray, *, eta: float = 3.0,
                 batch_size: int = 10, steps: int = 100, grid: int = 25, seed: int = 0
                 ) -> Surface:
    """C(α, β) on a grid x grid square of the plane through net's parameters θ₀, the end of
    `steps` steps of mini-batch SGD (batches of batch_size, shuffled by a Generator seeded by
    `seed`) and a filter-normalised random direction (from the same seed); with that walk and
    `steps` steps of full-batch gradient descent from θ₀, both at learning rate eta.

    x: (n, sizes[0]); y: (n,) labels or one-hot rows. net is not changed.
    """
    x = as_batch(x, net.sizes[0], net.dtype)
    targets = as_targets(y, net.sizes[-1], len(x), net.dtype)[0]
    Settings(batch_size=batch_size, eta=eta).check(len(x))
    if int(steps) != steps or steps < 1 or int(grid) != grid or grid < 2:
        raise InvalidInput(f"steps must be an integer >= 1 and grid >= 2, got {steps}, {grid}")
    walk_rng, direction_rng = np.random.default_rng(seed).spawn(2)
    sgd = walk(net, x, targets, eta, batch_size, steps, walk_rng)
    gd = walk(net, x, targets, eta, len(x), steps, None)
    plane = plane_through(net, sgd[0], sgd[-1], direction_rng)
    paths = [project(t, plane, path_costs(net, x, targets, t)) for t in (gd, sgd)]
    alphas, betas = grid_axes(paths, grid)
    a, b = np.meshgrid(alphas, betas)                                     # (grid, grid)
    costs = plane_costs(net, x, targets, plane, a.ravel(), b.ravel()).reshape(grid, grid)
    if not all(np.isfinite(c).all() for c in (costs, paths[0].cost, paths[1].cost)):
        raise InvalidInput(f"the cost overflowed (inf or NaN) on this slice; try a smaller eta "
                           f"(now {eta:g})")
    return Surface(alphas, betas, costs, paths[0], paths[1], *plane)


def surface_value(net: Network, x: Array, y: np.ndarray, surface: Surface, alpha: float,
                  beta: float) -> float:
    """C(α, β) on surface's plane, computed as its grid was (for one point off the grid)."""
    x = as_batch(x, net.sizes[0], net.dtype)
    targets = as_targets(y, net.sizes[-1], len(x), net.dtype)[0]
    plane = (surface.theta0, surface.u, surface.v)
    return float(plane_costs(net, x, targets, plane, np.array([alpha]), np.array([beta]))[0])
