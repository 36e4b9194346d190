// The walk downhill, drawn: the cost on a plane through the lesson network's parameters
// (contours on an absolute, labelled colour scale) with gradient descent's and mini-batch
// SGD's paths from the same start. Every number, and every sentence about them, comes from
// POST /api/surface.

import {api} from "./api.js";
import {niceTicks, text, tickLabel} from "./chart.js";
import {$, HI, NEG, bound, esc, sig} from "./util.js";

const PLOT = {l: 70, t: 12, size: 470}, BAR = {y: 562, h: 14};
const RAMP = ["#08142b", "#123a6b", "#1f6aa8", "#4aa3ff", "#a9d6ff", "#eef7ff"];
const GD = NEG, SGD = HI, FIELDS = {eta: "eta", batch: "batch_size", steps: "steps",
                                    examples: "examples"};
let loaded = false, busy = false, again = false, asked = "";

// The walk's settings as an address's query (#surface?eta=3&batch=10&steps=100&examples=500),
// and back: a link or a reload draws the same walk.
export function surfaceQuery() {
  return new URLSearchParams(Object.keys(FIELDS).filter((id) => $("surface-" + id).value)
    .map((id) => [id, $("surface-" + id).value])).toString();
}

export function setSurfaceQuery(query) {
  asked = query;
  const q = new URLSearchParams(query);
  for (const id of Object.keys(FIELDS)) {
    if (q.has(id) && Number.isFinite(Number(q.get(id)))) $("surface-" + id).value = q.get(id);
  }
}

function remember() {
  if (document.body.dataset.view === "surface" && history.replaceState) {
    history.replaceState(null, "", `#surface?${surfaceQuery()}`);
  }
}

export async function setupSurface() {
  $("surface-form").addEventListener("submit", (e) => { e.preventDefault(); loadSurface(true); });
  for (const id of Object.keys(FIELDS)) {
    $("surface-" + id).addEventListener("change", () => { remember(); loadSurface(true); });
  }
  try {
    const {limits, defaults} = await api("surface");
    for (const [id, name] of Object.entries(FIELDS)) {
      bound($("surface-" + id), limits[name], defaults[name]);
    }
    setSurfaceQuery(asked);                         // an address read before the limits came
    if (document.body.dataset.view === "surface") loadSurface(false);   // opened at #surface
  } catch (e) { $("surface-status").textContent = e.message; }
}

// Compute (once when the view opens, again whenever asked); a change while one is under way
// runs once more after it.
export async function loadSurface(force) {
  if ((loaded && !force) || !$("surface-eta").value) return;
  if (busy) { again = true; return; }
  busy = true;
  $("surface-status").textContent = "walking both paths and measuring the surface…";
  try {
    const body = Object.fromEntries(Object.entries(FIELDS).map(
      ([id, name]) => [name, Number($("surface-" + id).value)]));
    const r = await api("surface", body);
    loaded = true;
    draw(r);
    $("surface-status").textContent = `${r.examples.toLocaleString()} training examples, ` +
      `a ${r.grid}×${r.grid} grid; lesson network ${r.sizes.join("-")}, seed ${r.seed}.`;
  } catch (e) { $("surface-status").textContent = e.message; }
  busy = false;
  if (again) { again = false; loadSurface(true); }
}

function draw(r) {
  const hi = niceTicks(0, Math.max(...r.costs.flat()), 5).at(-1) || 1;
  const levels = contourLevels(r.costs);
  const {X, Y} = axes(r);
  $("surface-chart").innerHTML = [heat(r, X, Y, hi), ...levels.map((v) => contour(r, v, X, Y)),
    frameAxes(r, X, Y), path(r.gd, GD, X, Y, "gd"), path(r.sgd, SGD, X, Y, "sgd"),
    start(X, Y), colourBar(hi, levels)].join("");
  $("surface-sentence").innerHTML = sentence(r);
  $("surface-chart").setAttribute("aria-label", "the cost on a plane through the network's " +
    `parameters, with both paths: ${$("surface-sentence").textContent}`);
  $("surface-hidden").innerHTML = hidden(r);
}

// α across, β up, both in parameter-space distance, one pixel scale for both (to scale).
function axes(r) {
  const a0 = r.alphas[0], a1 = r.alphas.at(-1), b0 = r.betas[0], b1 = r.betas.at(-1);
  return {X: (a) => PLOT.l + PLOT.size * (a - a0) / (a1 - a0),
          Y: (b) => PLOT.t + PLOT.size * (1 - (b - b0) / (b1 - b0))};
}

const colour = (v, hi) => {
  const t = Math.min(1, Math.max(0, v / hi)) * (RAMP.length - 1), i = Math.min(Math.floor(t), RAMP.length - 2);
  const [p, q] = [RAMP[i], RAMP[i + 1]].map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));
  return `rgb(${p.map((c, k) => Math.round(c + (q[k] - c) * (t - i))).join(",")})`;
};

// Each grid value fills the cell around its point.
function heat(r, X, Y, hi) {
  const g = r.alphas.length, w = PLOT.size / (g - 1);
  return r.costs.flatMap((row, i) => row.map((v, j) =>
    `<rect x="${(X(r.alphas[j]) - w / 2).toFixed(1)}" y="${(Y(r.betas[i]) - w / 2).toFixed(1)}" ` +
    `width="${(w + 0.6).toFixed(1)}" height="${(w + 0.6).toFixed(1)}" fill="${colour(v, hi)}"/>`))
    .join("") + `<rect x="${PLOT.l - w / 2}" y="${PLOT.t - w / 2}" width="${PLOT.size + w}" ` +
    `height="${PLOT.size + w}" class="surface-clip"/>`;
}

function contourLevels(costs) {
  const all = costs.flat(), lo = Math.min(...all), hi = Math.max(...all);
  return niceTicks(lo, hi, 8).filter((v) => v > lo && v < hi);
}

// Marching squares: the line C = v through each grid cell, by linear interpolation.
function contour(r, v, X, Y) {
  const c = r.costs, segments = [];
  const cut = (i0, j0, i1, j1) => {
    const t = (v - c[i0][j0]) / (c[i1][j1] - c[i0][j0]);
    return [X(r.alphas[j0] + t * (r.alphas[j1] - r.alphas[j0])),
            Y(r.betas[i0] + t * (r.betas[i1] - r.betas[i0]))];
  };
  for (let i = 0; i + 1 < c.length; i++) {
    for (let j = 0; j + 1 < c[i].length; j++) {
      const corners = [[i, j], [i, j + 1], [i + 1, j + 1], [i + 1, j]];
      const edges = corners.map((p, k) => [p, corners[(k + 1) % 4]])
        .filter(([[a, b], [d, e]]) => (c[a][b] > v) !== (c[d][e] > v));
      const points = edges.map(([[a, b], [d, e]]) => cut(a, b, d, e));
      for (let k = 0; k + 1 < points.length; k += 2) segments.push([points[k], points[k + 1]]);
    }
  }
  const d = segments.map(([p, q]) => `M${p[0].toFixed(1)},${p[1].toFixed(1)}L${q[0].toFixed(1)},${q[1].toFixed(1)}`);
  return `<path d="${d.join("")}" class="surface-contour under"/>` +
    `<path d="${d.join("")}" class="surface-contour"/>`;
}

function frameAxes(r, X, Y) {
  const half = PLOT.size / (r.alphas.length - 1) / 2, bottom = PLOT.t + PLOT.size + half;
  const xs = niceTicks(r.alphas[0], r.alphas.at(-1), 5), ys = niceTicks(r.betas[0], r.betas.at(-1), 5);
  return [...xs.map((t) => text(X(t), bottom + 22, tickLabel(t), {anchor: "middle"})),
    ...ys.map((t) => text(PLOT.l - half - 6, Y(t) + 6, tickLabel(t), {anchor: "end"})),
    text(PLOT.l + PLOT.size / 2, bottom + 44, "α: toward SGD's end (parameter distance)",
         {anchor: "middle"}),
    `<text transform="translate(22 ${PLOT.t + PLOT.size / 2}) rotate(-90)" text-anchor="middle" ` +
    `class="tick">β: random direction</text>`].join("");
}

function path(p, stroke, X, Y, cls) {
  const points = p.alpha.map((a, k) => `${X(a).toFixed(1)},${Y(p.beta[k]).toFixed(1)}`);
  const end = points.at(-1).split(",");
  return `<polyline points="${points.join(" ")}" class="surface-path ${cls}" stroke="${stroke}"/>` +
    `<circle cx="${end[0]}" cy="${end[1]}" r="6" fill="${stroke}" class="surface-end"/>`;
}

const start = (X, Y) => `<circle cx="${X(0)}" cy="${Y(0)}" r="7" class="surface-start"/>`;

// The absolute scale: cost 0 to a round number above the largest, the contours marked on it.
function colourBar(hi, levels) {
  const stops = RAMP.map((c, k) => `<stop offset="${k / (RAMP.length - 1)}" stop-color="${c}"/>`);
  const x = (v) => PLOT.l + PLOT.size * v / hi;
  return `<defs><linearGradient id="surface-ramp">${stops.join("")}</linearGradient></defs>` +
    `<rect x="${PLOT.l}" y="${BAR.y}" width="${PLOT.size}" height="${BAR.h}" fill="url(#surface-ramp)"/>` +
    levels.map((v) => `<line x1="${x(v)}" x2="${x(v)}" y1="${BAR.y}" y2="${BAR.y + BAR.h}" ` +
      `class="surface-level"/>`).join("") +
    niceTicks(0, hi, 5).map((v) => text(x(v), BAR.y + BAR.h + 19, tickLabel(v), {anchor: "middle"})).join("") +
    text(PLOT.l + PLOT.size / 2, BAR.y + BAR.h + 41, "cost C (colours; lines: contours)",
         {anchor: "middle"});
}

// What the numbers say, computed from them.
function sentence(r) {
  const ups = (c) => c.slice(1).filter((v, k) => v > c[k]).length;
  const [c0, gd, sgd] = [r.gd.cost[0], r.gd.cost.at(-1), r.sgd.cost.at(-1)];
  const n = r.steps, lower = sgd < gd ? "lower than" : sgd > gd ? "higher than" : "level with";
  const down = [["SGD's", sgd < c0], ["gradient descent's", gd < c0]];
  const overall = down.every(([, d]) => d) ? "Both walks still went downhill overall."
    : down.map(([who, d]) => `${who} walk ${d ? "went downhill overall" : "ended higher than it began"}`)
      .join("; ") + ".";
  return `From the same start (cost <b>${sig(c0)}</b> on ${r.examples.toLocaleString()} examples), ` +
    `after ${n} steps at η = ${r.eta}, gradient descent ended at <b>${sig(gd)}</b> and SGD ` +
    `(batches of ${r.batch_size}) at <b>${sig(sgd)}</b>, ${lower} gradient descent. ` +
    `SGD's cost went up on <b>${ups(r.sgd.cost)} of ${n}</b> steps, gradient descent's on ` +
    `<b>${ups(r.gd.cost)} of ${n}</b>. ${overall}`;
}

// What the drawing hides: the parts of both walks off the plane.
function hidden(r) {
  const pct = (v) => `${(100 * v).toFixed(v < 0.01 ? 1 : 0)}%`;
  const endOff = r.gd.distance ? r.gd.end_off_plane / r.gd.distance : 0;
  return `<b>What the projection hides.</b> The plane holds the start and SGD's end exactly, ` +
    `not the rest: gradient descent's end lies ${esc(sig(r.gd.end_off_plane))} off it ` +
    `(${pct(endOff)} of its distance from the start), and ${pct(r.gd.hidden)} of gradient ` +
    `descent's movement and ${pct(r.sgd.hidden)} of SGD's, step by step, is in directions ` +
    `the drawing cannot show. The colour under a path is the cost on the plane, not where ` +
    `the path really is; the costs in the sentence above are the true ones.`;
}
