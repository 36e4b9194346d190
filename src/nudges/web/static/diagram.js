// The network diagram as SVG: the input picture, every layer's neurons lit by their
// activations, the strongest edges, and (seeing the nudges) the wishes and biggest nudges.

import {grayCanvas} from "./pictures.js";
import {HI, RESOLUTION, esc, fmt, maxAbs, num, sign} from "./util.js";

const W = 1000, H = 620;                      // the diagram's viewBox
const GLOW = `<defs><filter id="glow" x="-50%" y="-50%" width="200%" height="200%">` +
  `<feGaussianBlur stdDeviation="2.2" result="b"/><feMerge><feMergeNode in="b"/>` +
  `<feMergeNode in="SourceGraphic"/></feMerge></filter></defs>`;

// Nudges and wishes are drawn on an absolute scale, by the page's one scale rule (figures.js:
// length ∝ √(|value| / scale), nothing under RESOLUTION): a weight nudge of NUDGE_REF draws the
// thickest line (0.25: the most a sigmoid output neuron's nudge −a_k σ'(z_j)(a_j − y_j) can be
// with the quadratic cost), a wish of WISH_REF the longest arrow, so a confident right answer
// looks faint and a real mistake bold. opts.rescale: to this example's biggest instead,
// labelled on the figure, and never for nudges under RESOLUTION. A neuron whose gate σ′(z) is
// under GATE_CLOSED is ringed as a closed gate.
export const NUDGE_REF = 0.25, WISH_REF = 1, GATE_CLOSED = 0.01;
const POSC = "#4aa3ff";
const rooted = (value, scale) => Math.sqrt(Math.min(1, Math.abs(value) / scale));

// model: /api/model; r: /api/forward or /api/wishes (or null); nudging: show the wishes.
// opts: {rescale, follow (glow only the chosen neuron's incoming nudges), label (the class
// it should be, to mark a wrong answer; null if unknown), name (class j's name; default j),
// features (a table's column names: the input layer shows them, not a 28x28 picture)}.
export function diagram(model, r, nudging, error, opts = {}) {
  const name = opts.name || String, sizes = model.sizes;
  const outputs = [...Array(sizes.at(-1)).keys()];
  const widest = Math.max(...outputs.map((j) => shortened(name(j)).length));
  const {img, layers} = layout(sizes, widest);
  const lit = r ? r.activations.map(brightness) : sizes.map((n) => new Array(n).fill(0));
  const dim = nudging ? 0.3 : 1, neuronAt = (l) => (i) => layers[l].neurons[i];
  const colour = nudging ? () => "#8b96a8" : null;       // in the nudges view, only nudges are blue/red
  let svg = GLOW;
  if (r) {
    const inputAt = opts.features ? (k) => featureAt(img, opts.features.length, k)
      : (k) => pixelAt(img, k);
    svg += edgeLines(r.input_edges, inputAt, neuronAt(1),
                     (k, rel) => dim * (0.25 + 0.5 * rel), null, "", colour);
  }
  for (let l = 2; l < sizes.length; l++) {
    svg += edgeLines(model.edges[l], neuronAt(l - 1), neuronAt(l),
                     (k, rel) => dim * (0.1 + 0.8 * lit[l - 1][k] * (0.4 + 0.6 * rel)), null, "",
                     colour);
  }
  if (nudging) svg += nudgeEdges(r, img, neuronAt, opts);
  svg += legend(r, nudging, opts);
  svg += (opts.features ? featureNames(img, opts.features, r) : inputImage(img, r)) + neurons(layers, lit, r, nudging, opts) +
    layerLabels(sizes, layers, img);
  return svg + note(r, error);
}

// Where the picture and each neuron go; the output layer moves left to leave room for
// names longer than a digit (`widest` characters, about 12 units each).
function layout(sizes, widest = 1) {
  const top = 36, bottom = H - 44, img = {x: 18, size: 196};
  img.y = (H - img.size) / 2 - 10;
  const first = 330, last = (sizes.length > 2 ? 840 : 600) - 12 * (widest - 1);
  const layers = [null];
  for (let l = 1; l < sizes.length; l++) {
    const x = sizes.length === 2 ? last : first + (last - first) * (l - 1) / (sizes.length - 2);
    const n = sizes[l], perColumn = Math.min(n, 32), columns = Math.ceil(n / perColumn);
    const gap = Math.min(46, (bottom - top) / perColumn), r = Math.min(19, gap * 0.47);
    const neurons = [];
    for (let i = 0; i < n; i++) {
      const col = Math.floor(i / perColumn), row = i % perColumn;
      neurons.push({x: x + (col - (columns - 1) / 2) * (2 * r + 4),
                    y: (top + bottom) / 2 + (row - (perColumn - 1) / 2) * gap - 10, r});
    }
    layers.push({x, neurons, width: columns * (2 * r + 4)});
  }
  return {img, layers};
}

const pixelAt = (img, k) => ({x: img.x + (k % 28 + 0.5) * img.size / 28,
                              y: img.y + (Math.floor(k / 28) + 0.5) * img.size / 28});

function brightness(activations) {
  const top = Math.max(1, ...activations);
  return activations.map((a) => Math.max(0, a) / top);
}

// Lines for edges [j, k, value]: width and opacity by |value| / scale (the largest |value|
// if no scale), none below `least` of the scale; colour(value) or blue/red by sign.
function edgeLines(edges, from, to, alpha, scale, extra = "", colour = null, least = 0.18) {
  const top = scale || maxAbs(edges.map((e) => e[2]));
  let out = "";
  for (const [j, k, w] of edges) {
    const rel = Math.min(1, Math.abs(w) / top);
    if (rel < least) continue;
    const a = from(k), b = to(j);
    out += `<line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${b.x.toFixed(1)}" ` +
      `y2="${b.y.toFixed(1)}" stroke="${colour ? colour(w) : sign(w)}" ` +
      `stroke-width="${(0.4 + 2.8 * rel).toFixed(2)}" ` +
      `stroke-opacity="${alpha(k, rel).toFixed(3)}"${extra}/>`;
  }
  return out;
}

// The chosen neuron's incoming nudges (opts.follow), else each layer's biggest, glowing.
export function glowingNudges(r, follow) {
  const n = r.neuron;
  if (!follow || !n) return r.nudge_edges.map((edges, l) => ({l, edges}));
  const top = n.nudges.map((v, k) => [n.index, k, v])
    .sort((p, q) => Math.abs(q[2]) - Math.abs(p[2])).slice(0, 24);
  return [{l: n.layer, edges: top}];
}

// The nudge lines, and the scale they are drawn on: absolute, or (rescale) this example's
// biggest nudge when that is at least RESOLUTION.
export function nudgeScale(r, opts) {
  const groups = glowingNudges(r, opts.follow && !opts.stage)
    .filter((g) => g.l >= 1 && (!opts.stage || g.l === opts.stage.edges));
  const biggest = maxAbs(groups.flatMap((g) => g.edges.map((e) => e[2])));
  const rescaled = opts.rescale && biggest >= RESOLUTION && groups.some((g) => g.edges.length);
  return {groups, scale: rescaled ? biggest : NUDGE_REF, rescaled};
}

function nudgeEdges(r, img, neuronAt, opts) {
  const {groups, scale} = nudgeScale(r, opts);
  let out = "";
  for (const {l, edges} of groups) {
    const from = l === 1 ? (k) => pixelAt(img, k) : neuronAt(l - 1), to = neuronAt(l);
    for (const [j, k, v] of edges) {
      if (Math.abs(v) < RESOLUTION) continue;
      const rel = rooted(v, scale), a = from(k), b = to(j);
      out += `<line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${b.x.toFixed(1)}" ` +
        `y2="${b.y.toFixed(1)}" stroke="${sign(v)}" stroke-width="${(0.4 + 3.6 * rel).toFixed(2)}" ` +
        `stroke-opacity="${(0.2 + 0.75 * rel).toFixed(3)}" class="nudge-line" filter="url(#glow)"/>`;
    }
  }
  return out;
}

// The legend: along the top, the nudges' scale (line widths for three values, and whether they
// are rescaled); in the bottom right corner, the closed gates' ring, when there are any.
function legend(r, nudging, opts) {
  const closed = r && r.gates && r.gates.some((g) => g && g.some((v) => v < GATE_CLOSED));
  let out = "";
  if (nudging) {
    const {scale, rescaled} = nudgeScale(r, opts);
    out += `<text x="6" y="20" class="legend">${rescaled ? `nudges ×${num(NUDGE_REF / scale, 1)}` +
      " (rescaled)" : "nudges (absolute)"}, width ∝ √|nudge|:</text>`;
    [scale / 100, scale / 10, scale].forEach((v, i) => {
      const rel = rooted(v, scale), x = (rescaled ? 470 : 430) + 150 * i;
      out += `<line x1="${x}" y1="13" x2="${x + 34}" y2="13" stroke="${POSC}" ` +
        `stroke-width="${(0.4 + 3.6 * rel).toFixed(2)}" stroke-opacity="${(0.2 + 0.75 * rel)
          .toFixed(3)}"/><text x="${x + 40}" y="20" class="legend">${num(v)}</text>`;
    });
  }
  if (closed) {
    out += `<circle cx="${W - 262}" cy="${H - 14}" r="9" class="gate-closed"/><text ` +
      `x="${W - 6}" y="${H - 7}" class="legend" text-anchor="end">closed gate: σ′(z) < ` +
      `${GATE_CLOSED}</text>`;
  }
  return out ? `<g class="diagram-legend">${out}</g>` : "";
}

// A table's input layer: one line per feature, its name (cut short) and its standardised value.
const featureAt = (img, n, k) => ({x: img.x + img.size,
                                   y: 40 + (k + 0.5) * Math.min(34, (H - 120) / n)});

function featureNames(img, features, r) {
  return features.map((name, k) => {
    const {x, y} = featureAt(img, features.length, k);
    const short = name.length > 16 ? name.slice(0, 15) + "…" : name;
    const value = r ? ` ${fmt(r.input[k], 2)}` : "";
    return `<text x="${x - 4}" y="${y + 4}" class="feature"><title>${esc(name)}</title>` +
      `${esc(short)}${value}</text><circle cx="${x + 4}" cy="${y}" r="3" fill="#8b96a8"/>`;
  }).join("");
}

function inputImage(img, r) {
  const frame = `<rect x="${img.x - 2}" y="${img.y - 2}" width="${img.size + 4}" ` +
    `height="${img.size + 4}" class="frame"/>`;
  if (!r) return frame;
  const url = grayCanvas(r.input).toDataURL();
  return frame + `<image href="${url}" x="${img.x}" y="${img.y}" width="${img.size}" ` +
    `height="${img.size}" style="image-rendering: pixelated"/>`;
}

function neurons(layers, lit, r, nudging, opts) {
  let out = "";
  const last = layers.length - 1;
  const wrong = r && opts.label !== null && opts.label !== undefined && r.prediction !== opts.label;
  for (let l = 1; l <= last; l++) {
    const staged = !opts.stage || opts.stage.wishes === l;
    const wishes = nudging && staged ? r.activation_wishes[l] : null;
    const biggest = wishes ? maxAbs(wishes) : 0;
    const top = wishes && opts.rescale && biggest >= RESOLUTION ? biggest : WISH_REF;
    layers[l].neurons.forEach((p, i) => {
      const a = r ? r.activations[l][i] : 0;
      const chosen = nudging && r.neuron && r.neuron.layer === l && r.neuron.index === i;
      const predicted = l === last && r && r.prediction === i;
      const gate = r && r.gates && r.gates[l] ? r.gates[l][i] : null;
      out += neuron(p, l, i, {a, lit: lit[l][i], wish: wishes ? wishes[i] : null, chosen, predicted,
                              nudging, gate});
      out += rings(p, opts.stage && opts.stage.wishes === l, gate);
      if (wishes) out += wishBar(p, wishes[i], top);
      if (l === last) {
        out += outputLabel(p, i, a, wishes, predicted, predicted && wrong, opts.name || String);
      }
    });
  }
  return out;
}

// A neuron's rings: the backward pass's stage uses it; its gate is closed.
function rings(p, staged, gate) {
  const ring = (r, cls, title = "") => `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" ` +
    `r="${(p.r + r).toFixed(1)}" class="${cls}">${title}</circle>`;
  return (staged ? ring(2, "bw-on") : "") + (gate !== null && gate < GATE_CLOSED
    ? ring(4, "gate-closed", `<title>closed gate: σ′(z) = ${num(gate)}</title>`) : "");
}

// A neuron; seeing the nudges, a button the keyboard reaches (Enter or Space chooses it).
function neuron(p, l, i, {a, lit, wish, chosen, predicted, nudging, gate}) {
  const ring = chosen ? HI : predicted ? "#ffffff" : "#7d8aa0";
  const shut = gate !== null && gate < GATE_CLOSED ? `, gate closed (σ′ = ${num(gate)})` : "";
  const name = `layer ${l}, neuron ${i}: a = ${a.toFixed(3)}` +
    `${wish === null ? "" : `, wish ${fmt(wish)}`}${shut}${chosen ? ", chosen" : ""}`;
  const button = nudging ? ` tabindex="0" role="button" aria-label="${name}"` +
    ` aria-pressed="${Boolean(chosen)}"` : "";
  return `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${p.r.toFixed(1)}" ` +
    `class="neuron" data-layer="${l}" data-index="${i}" fill="#fff"${button} ` +
    `fill-opacity="${lit.toFixed(3)}" stroke="${ring}" ` +
    `stroke-width="${chosen || predicted ? 3 : 1.2}"><title>layer ${l}, neuron ${i}: ` +
    `a = ${a.toFixed(3)}${wish === null ? "" : `, wish ${fmt(wish)}`}${shut}` +
    `</title></circle>`;
}

function wishBar(p, wish, top) {
  if (Math.abs(wish) < RESOLUTION) return "";
  const rel = rooted(wish, top);
  const len = 6 + 24 * rel, x = p.x + p.r + 7, dir = wish >= 0 ? -1 : 1;
  const tail = p.y - dir * len / 2, tip = p.y + dir * len / 2, colour = sign(wish);
  return `<line x1="${x}" y1="${tail.toFixed(1)}" x2="${x}" y2="${(tip - dir * 5).toFixed(1)}" ` +
    `stroke="${colour}" stroke-width="3"/><polygon points="${x - 5},${(tip - dir * 6).toFixed(1)} ` +
    `${x + 5},${(tip - dir * 6).toFixed(1)} ${x},${tip.toFixed(1)}" fill="${colour}"/>`;
}

// A class name as the diagram shows it: at most LONGEST characters (the rest as "…").
const LONGEST = 14;
const shortened = (name) => (String(name).length > LONGEST
  ? String(name).slice(0, LONGEST - 1) + "…" : String(name));

// The output's class name, value and wish; a wrong answer (the predicted output when the
// example is labelled otherwise) is marked with ✗.
function outputLabel(p, i, a, wishes, predicted, wrong, name) {
  const x = p.x + p.r + (wishes ? 18 : 10);
  const shown = wishes && Math.abs(wishes[i]) >= 0.005;
  const wish = shown ? `<tspan class="wish" fill="${sign(wishes[i])}" dx="8">` +
    `${fmt(wishes[i], 2)}</tspan>` : "";
  const mark = wrong ? `<text x="${p.x - p.r - 6}" y="${p.y + 6}" text-anchor="end" ` +
    `class="out"><tspan class="wrong">✗</tspan><title>the answer, and wrong</title></text>` : "";
  return mark + `<text x="${x}" y="${p.y + 6}" class="out${predicted ? " predicted" : ""}">` +
    `<tspan class="digit">${esc(shortened(name(i)))}</tspan><tspan dx="10" class="value">${a.toFixed(2)}</tspan>` +
    `${wish}</text>`;
}

function layerLabels(sizes, layers, img) {
  const names = sizes.map((n, l) => (l === 0 ? `input ${n}` : l === sizes.length - 1
    ? `output ${n}` : `hidden ${n}`));
  let out = `<text x="${img.x + img.size / 2}" y="${H - 32}" class="layer">${names[0]}</text>`;
  for (let l = 1; l < sizes.length; l++) {
    out += `<text x="${layers[l].x}" y="${H - 32}" class="layer">${names[l]}</text>`;
  }
  return out;
}

// A line under the diagram: what to do when there is nothing to show, or what went wrong.
function note(r, error) {
  if (r && !error) return "";
  const text = error || "draw, or load a test example, to see every layer light up";
  return `<text x="${W / 2}" y="${H - 8}" class="note${r ? " error" : ""}" ` +
    `text-anchor="middle">${esc(text)}</text>`;
}
