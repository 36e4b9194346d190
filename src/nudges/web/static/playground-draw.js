// Drawing the playground: the region map with the points, the network with every weight on
// one absolute scale and each neuron's map inside its node, the wishes and the curves.
// Everything drawn comes from the server's frame; colours and sizes are set inline, so an
// exported SVG or PNG looks as the page does.

import {frame, line, paint, text, xAxis, yAxis} from "./chart.js";
import {NEG, POS, fmt, num} from "./util.js";

export const CLASS_COLOURS = ["#4aa3ff", "#ff5a4e", "#ffd166", "#5ed39a", "#c77dff"];
const RGB = CLASS_COLOURS.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
const BG = "#131720", SIDE = 400, NODE = 34, GAP = 50;

// A canvas's picture as a data URL: side x side cells, colour(i) for cell i.
function picture(side, colour) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = side;
  const ctx = canvas.getContext("2d"), image = ctx.createImageData(side, side);
  for (let i = 0; i < side * side; i++) image.data.set(colour(i), 4 * i);
  ctx.putImageData(image, 0, 0);
  return canvas.toDataURL();
}

// Blue for a positive activation, red for a negative one, full colour at ±1 (saturates).
function diverging(v) {
  const t = Math.min(1, Math.abs(v)), [r, g, b] = v >= 0 ? [74, 163, 255] : [255, 90, 78];
  return [19 + (r - 19) * t, 23 + (g - 23) * t, 32 + (b - 32) * t, 255];
}

// The plane: each cell tinted by the class the network predicts there (stronger where the
// winning output is larger), the points on top (test points hollow), the chosen one ringed.
export function drawRegions(svg, f, points, chosen, picked) {
  const k = f.classes, at = (v) => (v / f.extent + 1) * SIDE / 2;
  const href = picture(f.grid, (i) => {
    const c = RGB[Number(f.regions[i])], sure = (f.confidence[i] - 1 / k) / (1 - 1 / k);
    const a = 0.25 + 0.45 * Math.max(0, Math.min(1, sure));
    return [...c.map((v, j) => [19, 23, 32][j] * (1 - a) + v * a), 255];
  });
  const dot = (which, labels) => (p, i) => `<circle cx="${at(p[0]).toFixed(1)}" ` +
    `cy="${(SIDE - at(p[1])).toFixed(1)}" r="3.6" data-which="${which}" data-index="${i}" ` +
    `fill="${which === "train" ? CLASS_COLOURS[labels[i]] : BG}" ` +
    `stroke="${which === "train" ? "#0b0d12" : CLASS_COLOURS[labels[i]]}" stroke-width="1.4"/>`;
  const ring = chosen ? `<circle cx="${at(chosen.point[0])}" cy="${SIDE - at(chosen.point[1])}" ` +
    `r="9" fill="none" stroke="#fff" stroke-width="2.5"/>` : "";
  const picks = [...picked].map((i) => `<rect x="${at(points.train[i][0]) - 6}" ` +
    `y="${SIDE - at(points.train[i][1]) - 6}" width="12" height="12" fill="none" ` +
    `stroke="#fff" stroke-width="1.5"/>`).join("");
  paint(svg, [`<rect width="${SIDE}" height="${SIDE}" fill="${BG}"/>`,
    `<image href="${href}" width="${SIDE}" height="${SIDE}" preserveAspectRatio="none"/>`,
    points.train.map(dot("train", points.train_labels)).join(""),
    points.test.map(dot("test", points.test_labels)).join(""), ring, picks,
    `<text x="6" y="${SIDE - 6}" font-size="13" fill="#dde3ec">x, y from ` +
    `${-f.extent} to ${f.extent}</text>`]);
}

// Where each neuron sits: column per layer, neurons centred in it.
function layout(sizes) {
  const height = Math.max(...sizes) * GAP + 40, width = 540;
  const x = (l) => 60 + l * (width - 170) / (sizes.length - 1);
  const y = (l, j) => height / 2 + (j - (sizes[l] - 1) / 2) * GAP;
  return {width, height, x, y};
}

// A line's width and opacity for a value on a scale whose thickest line is `ref`.
function stroke(v, ref) {
  const t = Math.min(1, Math.abs(v) / ref);
  return `stroke="${v >= 0 ? POS : NEG}" stroke-width="${(0.3 + 4.2 * t).toFixed(2)}" ` +
    `stroke-opacity="${(0.25 + 0.75 * t).toFixed(2)}"`;
}

function edges(sizes, values, ref, at) {
  const out = [];
  values.forEach((w, l) => w.forEach((row, j) => row.forEach((v, k) => {
    out.push(`<line x1="${at.x(l) + NODE / 2}" y1="${at.y(l, k)}" x2="${at.x(l + 1) - NODE / 2}" ` +
      `y2="${at.y(l + 1, j)}" ${stroke(v, ref)} data-l="${l}" data-j="${j}" data-k="${k}">` +
      `<title>w[${l}][${j}][${k}] = ${num(v, 4)}</title></line>`);
  })));
  return out.join("");
}

function node(at, l, j, map, side, label) {
  const x = at.x(l) - NODE / 2, y = at.y(l, j) - NODE / 2;
  const image = map ? `<image href="${picture(side, (i) => diverging(map[i]))}" x="${x}" ` +
    `y="${y}" width="${NODE}" height="${NODE}" preserveAspectRatio="none"/>` : "";
  return `<rect x="${x}" y="${y}" width="${NODE}" height="${NODE}" fill="${BG}"/>${image}` +
    `<rect x="${x}" y="${y}" width="${NODE}" height="${NODE}" fill="none" stroke="#8b96a8"/>` +
    (label ? `<text x="${x - 4}" y="${y + NODE / 2 + 5}" font-size="15" fill="#dde3ec" ` +
      `text-anchor="end">${label}</text>` : "");
}

// In the nudges view: each neuron's wish (−∂C/∂a) under it and its bias nudge as a bar.
function wishMarks(at, l, j, wish, nudgeB, ref) {
  const x = at.x(l), y = at.y(l, j) + NODE / 2;
  const h = Math.min(1, Math.abs(nudgeB) / ref) * NODE;
  return `<rect x="${x + NODE / 2 + 2}" y="${y - h}" width="4" height="${h}" ` +
    `fill="${nudgeB >= 0 ? POS : NEG}"><title>bias nudge ${fmt(nudgeB, 4)}</title></rect>` +
    `<text x="${x}" y="${y + 14}" font-size="14" fill="#ffd166" text-anchor="middle">` +
    `${fmt(wish, 2)}</text>`;
}

// The network: every weight (or, with a point, every nudge) as a line on one scale, and every
// hidden and output neuron's activation over the plane inside its node.
export function drawNetwork(svg, f, inputs, shown) {
  const sizes = f.sizes, at = layout(sizes);
  svg.setAttribute("viewBox", `0 0 ${at.width} ${at.height}`);
  const values = shown ? shown.nudge_w : f.weights;
  const parts = [`<rect width="${at.width}" height="${at.height}" fill="${BG}"/>`,
    edges(sizes, values, shown ? shown.ref : f.weightRef, at)];
  sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const map = l > 0 ? f.node_maps[l - 1][j] : null;
      const label = l === 0 ? inputs[j] : (l === sizes.length - 1 ? `class ${j}` : "");
      parts.push(node(at, l, j, map, f.node_grid, l === 0 ? label : ""));
      if (l === sizes.length - 1) parts.push(classMark(at, l, j, label));
      if (shown && l > 0) {
        parts.push(wishMarks(at, l, j, shown.wishes[l - 1][j], shown.nudge_b[l - 1][j], shown.ref));
      }
    }
  });
  paint(svg, parts);
}

function classMark(at, l, j, label) {
  return `<circle cx="${at.x(l) + NODE / 2 + 14}" cy="${at.y(l, j)}" r="5" ` +
    `fill="${CLASS_COLOURS[j]}"/><text x="${at.x(l) + NODE / 2 + 22}" y="${at.y(l, j) + 4}" ` +
    `font-size="15" fill="#dde3ec">${label}</text>`;
}

// Bars of values (one per class or per point) on a symmetric scale, with a zero line.
export function bars(svg, values, colours, {marks = [], title = ""} = {}) {
  const top = Math.max(1e-12, ...values.map(Math.abs), ...marks.map((m) => Math.abs(m.value)));
  const f = frame(400, Number(svg.viewBox.baseVal.height), {l: 56, r: 10, t: 18, b: 18},
                  {lo: 0, hi: values.length}, {lo: -top, hi: top});
  const w = (f.X(1) - f.X(0)) * 0.7;
  const rects = values.map((v, i) => `<rect x="${f.X(i + 0.15)}" width="${w}" ` +
    `y="${Math.min(f.Y(v), f.Y(0))}" height="${Math.abs(f.Y(v) - f.Y(0))}" fill="${colours[i]}"/>`);
  const lines = marks.map((m) => `<line x1="${f.margin.l}" x2="${400 - f.margin.r}" ` +
    `y1="${f.Y(m.value)}" y2="${f.Y(m.value)}" stroke="${m.colour}" stroke-width="2" ` +
    `stroke-dasharray="${m.dash || ""}"/>`);
  paint(svg, [yAxis(f, [-top, 0, top]).replaceAll(/>([-\d.e+]+)</g, (_, v) => `>${num(+v, 3)}<`),
    ...rects, ...lines, text(f.margin.l, 12, title)]);
}

// The learning curves: train (blue) and test (yellow) against the step.
export function drawCurves(costSvg, accuracySvg, history) {
  const last = history[history.length - 1].step || 1;
  const costs = history.flatMap((h) => [h.train_cost, h.test_cost]).filter(Number.isFinite);
  const x = {lo: 0, hi: last};
  const cost = frame(500, 150, {l: 48, r: 12, t: 10, b: 30}, x,
                     {lo: 0, hi: Math.max(1e-9, ...costs)});
  const accuracy = frame(500, 150, {l: 48, r: 12, t: 10, b: 30}, x, {lo: 0, hi: 100});
  const pts = (key, scale = 1) => history.filter((h) => h[key] !== null)
    .map((h) => [h.step, h[key] * scale]);
  paint(costSvg, [yAxis(cost), xAxis(cost, [0, last]), line(cost, pts("train_cost"), POS),
    line(cost, pts("test_cost"), "#ffd166")]);
  paint(accuracySvg, [yAxis(accuracy), xAxis(accuracy, [0, last]),
    line(accuracy, pts("train_accuracy", 100), POS),
    line(accuracy, pts("test_accuracy", 100), "#ffd166")]);
}

// The two figures side by side in one SVG document (for Export).
export function figureSvg(regions, net) {
  const box = net.viewBox.baseVal, height = Math.max(SIDE, box.height);
  const inner = (svg, x, w, h) => `<svg x="${x}" y="0" width="${w}" height="${h}" ` +
    `viewBox="0 0 ${w} ${h}">${svg.innerHTML}</svg>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIDE + 20 + box.width}" ` +
    `height="${height}"><rect width="100%" height="100%" fill="${BG}"/>` +
    inner(regions, 0, SIDE, SIDE) + inner(net, SIDE + 20, box.width, box.height) + "</svg>";
}
