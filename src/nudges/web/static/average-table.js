// The averaging table as HTML: the mini-batch's examples as columns (picture, label, the
// network's answer), chosen weights and biases as rows, each cell one example's nudge, then
// the mini-batch's average (−∇C) and the whole training set's. One colour scale for every cell.

import {digitImg} from "./figures.js";
import {className} from "./state.js";
import {esc, num} from "./util.js";

const MOST = 0.6;        // the strongest cell's colour opacity: its number stays readable

// a: /api/average. rows: how many rows to show (all if not given); average: add the average
// columns and the cosine; pins: the rows pinned by the learner ({layer, j, k}), or null for
// row names that are not buttons.
export function tableHTML(a, {rows = a.rows.length, average = true, pins = null} = {}) {
  const shown = a.rows.slice(0, rows), top = scaleOf(shown, average);
  const head = a.examples.map(exampleHead).join("") + (average
    ? `<th scope="col" class="average">average<br><small>−∇C of this batch</small></th>` +
      `<th scope="col" class="full">all ${a.n_full.toLocaleString()}<br><small>training ` +
      `digits</small></th>` : "");
  const body = shown.map((r) => `<tr data-layer="${r.layer}" data-j="${r.j}" ` +
    `data-k="${r.k ?? ""}"><th scope="row">${pins ? pinButton(r, pins) : rowName(r)}</th>` +
    r.nudges.map((v, i) => cell(v, top, `example ${i + 1}`, "nudge")).join("") +
    (average ? cell(r.average, top, "average", "average") + cell(r.full, top, "full", "full")
      : "") + "</tr>").join("");
  const foot = average ? `<tr><th scope="row">cosine</th><td colspan="${a.examples.length}">` +
    `</td><td colspan="2" class="cosine">cos = <b>${a.cosine.toFixed(3)}</b></td></tr>` : "";
  return `<div class="table-scroll" tabindex="0" role="region" aria-label="averaging table">` +
    `<table class="table average-table" data-scale="${top}">` +
    `<caption>Each cell: one example's nudge −∂C<sub>x</sub>/∂w; colour scale ±${num(top)}` +
    `</caption><thead><tr><th scope="col">nudge to</th>${head}</tr></thead>` +
    `<tbody>${body}${foot}</tbody></table></div>` + legend(top);
}

// The shared scale: the largest |value| among the cells shown.
function scaleOf(rows, average) {
  const values = rows.flatMap((r) => [...r.nudges, ...(average ? [r.average, r.full] : [])]);
  return values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
}

function exampleHead(e) {
  const ok = e.prediction === e.label;
  return `<th scope="col" class="example${ok ? "" : " wrong"}" data-index="${e.index}">` +
    digitImg(e.pixels, `training example ${e.index}, a ${esc(className(e.label))}`, "thumb") +
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
  const t = Math.min(1, Math.abs(v) / top) * MOST;
  const rgb = v >= 0 ? "74,163,255" : "255,90,78";
  return `<td class="${cls}" data-value="${v}" title="${esc(what)}: ${v}" ` +
    `style="background:rgba(${rgb},${t.toFixed(3)})">${num(v, 3)}</td>`;
}

function legend(top) {
  return `<div class="legend scale-legend"><span><i class="swatch ramp"></i>one scale for ` +
    `every cell: blue = nudge up, red = nudge down, full colour = ±${num(top)}</span></div>`;
}
