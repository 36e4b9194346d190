// The averaging table as HTML: the mini-batch's examples as columns (picture, label, the
// network's answer), chosen weights and biases as rows, each cell one example's nudge, then
// the mini-batch's average (−∇C) and the whole training set's. One colour scale for every cell.

import {digitImg, scaled} from "./figures.js";
import {className, noun, withArticle} from "./state.js";
import {esc, num} from "./util.js";

const MOST = 0.5;        // the strongest cell's colour opacity: its white number stays readable
const TOP = 0.25;        // the absolute scale of every cell (diagram.js's NUDGE_REF), √ rule

// a: /api/average. rows: how many rows to show (all if not given); average: add the average
// columns and the cosine; pins: the rows pinned by the learner ({layer, j, k}), or null for
// row names that are not buttons.
// The average columns come first, after the row names, so that a wide batch scrolls its
// examples and never the averages out of sight.
export function tableHTML(a, {rows = a.rows.length, average = true, pins = null} = {}) {
  const shown = a.rows.slice(0, rows), top = TOP;
  const head = (average
    ? `<th scope="col" class="average">average<br><small>−∇C of this batch</small></th>` +
      `<th scope="col" class="full">all ${a.n_full.toLocaleString()}<br><small>training ` +
      `${noun()}s</small></th>` : "") + a.examples.map(exampleHead).join("");
  const body = shown.map((r) => `<tr data-layer="${r.layer}" data-j="${r.j}" ` +
    `data-k="${r.k ?? ""}"><th scope="row">${pins ? pinButton(r, pins) : rowName(r)}</th>` +
    (average ? cell(r.average, top, "average", "average") + cell(r.full, top, "full", "full")
      : "") + r.nudges.map((v, i) => cell(v, top, `example ${i + 1}`, "nudge")).join("") +
    "</tr>").join("");
  const foot = average ? `<tr><th scope="row">cosine</th><td colspan="2" class="cosine">` +
    `cos = <b>${a.cosine.toFixed(3)}</b></td><td colspan="${a.examples.length}"></td></tr>` : "";
  return `<div class="table-scroll" tabindex="0" role="region" aria-label="averaging table">` +
    `<table class="table average-table" data-scale="${top}">` +
    `<caption>Each cell: one example's nudge −∂C<sub>x</sub>/∂w, coloured on the absolute ` +
    `scale ±${num(top)}</caption><thead><tr><th scope="col">nudge to</th>${head}</tr></thead>` +
    `<tbody>${body}${foot}</tbody></table></div>` + legend(top);
}

function exampleHead(e) {
  const ok = e.prediction === e.label;
  return `<th scope="col" class="example${ok ? "" : " wrong"}" data-index="${e.index}">` +
    digitImg(e.pixels, `training example ${e.index}, ${esc(withArticle(e.label))}`, "thumb") +
    `<span class="index">#${e.index}</span>` +
    `<span class="label">${esc(className(e.label))}</span>` +
    `<span class="says">says ${esc(className(e.prediction))}` +
    `${ok ? "" : ` <b class="wrong-mark" title="wrong">✗</b>`}</span></th>`;
}

export function rowName(r) {
  const into = `<small>layer ${r.layer}</small>`;
  return r.k === null ? `b<sub>${r.j}</sub> ${into}` : `w<sub>${r.j},${r.k}</sub> ${into}`;
}

// The row's name as a button that pins (or unpins) the row for every mini-batch.
function pinButton(r, pins) {
  const pinned = pins.some((p) => p.layer === r.layer && p.j === r.j && p.k === r.k);
  const title = pinned ? "pinned: kept for every mini-batch; click to unpin"
    : "click to keep this row for every mini-batch";
  return `<button class="pin" aria-pressed="${pinned}" title="${title}">${rowName(r)}</button>`;
}

function cell(v, top, what, cls = "") {
  const t = scaled(v, top) * MOST;
  const rgb = v >= 0 ? "74,163,255" : "255,90,78";
  return `<td class="${cls}" data-value="${v}" title="${esc(what)}: ${v}" ` +
    `style="background:rgba(${rgb},${t.toFixed(3)})">${cellText(v, top)}</td>`;
}

// 3 significant digits with a true minus sign, or "≈ 0" under the colour scale's resolution
// (a value whose colour would be under 1% of full: 1e-4 of the scale, by the √ rule).
export function cellText(v, top = TOP) {
  if (Math.abs(v) < top * 1e-4) return "≈ 0";
  return (v < 0 ? "−" : "") + String(Number(Math.abs(v).toPrecision(3)));
}

function legend(top) {
  return `<div class="legend scale-legend"><span><i class="swatch ramp"></i>one scale for ` +
    `every cell: blue = nudge up, red = nudge down, full colour = ±${num(top)} (absolute), ` +
    `colour ∝ √|nudge|; "≈ 0" is under ${top * 1e-4}</span></div>`;
}
