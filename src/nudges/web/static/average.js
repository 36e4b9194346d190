// Average them: a mini-batch of training digits, each one's nudges to a few weights and
// biases, their average (the mini-batch's −∇C) beside the whole training set's, and one step.

import {api} from "./api.js";
import {tableHTML} from "./average-table.js";
import {noun, state} from "./state.js";
import {$, bound, sig} from "./util.js";

const view = {ready: false, seed: 0, picks: [], shown: null, version: null, busy: false,
              focus: null};

export function setupAverage(config) {
  bound($("average-count"), config.limits.table_count, config.defaults.average.count);
  bound($("average-eta"), config.limits.eta, config.defaults.step.eta);
  $("average-batch").addEventListener("click", () => {
    view.seed += 1;
    $("average-rows").value = "";
    loadAverage(true);
  });
  $("average-count").addEventListener("change", () => loadAverage(true));
  $("average-rows").addEventListener("change", () => loadAverage(true));
  $("average-table").addEventListener("click", pin);
  $("average-add").addEventListener("click", addPick);
  $("average-pick").addEventListener("keydown", (e) => { if (e.key === "Enter") addPick(); });
  $("average-step").addEventListener("click", applyStep);
  view.ready = true;
  if (state.view === "average") loadAverage(true);
}

// "2,3,5" is w_3,5 into layer 2; "3,1" the bias b_1 of layer 3.
function addPick() {
  const parts = $("average-pick").value.trim().split(/[\s,]+/).filter(Boolean).map(Number);
  if (parts.length < 2 || parts.length > 3 || parts.some((v) => !Number.isInteger(v) || v < 0)) {
    $("average-summary").textContent = "A row is layer,j,k for a weight or layer,j for a " +
      `bias (whole numbers), got “${$("average-pick").value}”.`;
    return;
  }
  const [layer, j, k = null] = parts;
  view.picks = [{layer, j, k}, ...view.picks.filter((p) => !same(p, {layer, j, k}))].slice(0, 8);
  loadAverage(true);
}

const same = (p, q) => p.layer === q.layer && p.j === q.j && p.k === q.k;

// A click on a row's name pins the row (it stays for every mini-batch) or unpins it.
function pin(e) {
  const button = e.target.closest("button.pin");
  if (!button) return;
  const tr = button.closest("tr"), d = tr.dataset;
  const row = {layer: Number(d.layer), j: Number(d.j), k: d.k === "" ? null : Number(d.k)};
  const pinned = view.picks.some((p) => same(p, row));
  view.picks = pinned ? view.picks.filter((p) => !same(p, row)) : [row, ...view.picks].slice(0, 8);
  view.focus = `tr[data-layer="${d.layer}"][data-j="${d.j}"][data-k="${d.k}"] button.pin`;
  loadAverage(true);
}

// The training digits the learner typed ("7, 42, 99"), or null for a random mini-batch.
function chosenRows() {
  const text = $("average-rows").value.trim();
  if (!text) return null;
  const rows = text.split(/[\s,]+/).filter(Boolean).map(Number);
  if (rows.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new Error(`Training ${noun()}s are whole numbers from 0, separated by commas, got ` +
                    `“${text}”.`);
  }
  return rows;
}

// Ask for the table (again if `fresh`, or if the model has changed since).
export async function loadAverage(fresh) {
  if (!view.ready || view.busy) return;
  if (!state.status || !state.status.data_ready) {
    $("average-summary").textContent = `Waiting for ${noun()}s to average over…`;
    setTimeout(() => { if (state.view === "average") loadAverage(fresh); }, 700);
    return;
  }
  if (!fresh && view.shown && view.version === (state.model && state.model.version)) return;
  view.busy = true;
  $("average-summary").textContent = "Computing every example's nudges…";
  try {
    const count = Number($("average-count").value), rows = chosenRows();
    const a = await api("average", {count, seed: view.seed, picks: view.picks,
                                    ...(rows ? {rows} : {})});
    render(a);
  } catch (e) { $("average-summary").textContent = e.message; }
  view.busy = false;
}

function render(a) {
  view.shown = a;
  view.version = a.version;
  $("average-table").innerHTML = tableHTML(a, {pins: view.picks});
  const focus = view.focus && $("average-table").querySelector(view.focus);
  if (focus) focus.focus();
  view.focus = null;
  const wrong = a.examples.filter((e) => e.prediction !== e.label).length;
  $("average-summary").innerHTML = `${a.examples.length} training ${noun()}s ` +
    `(${$("average-rows").value.trim() ? "yours" : "at random"}; ${wrong} ` +
    `misclassified, marked ✗), mean cost <b>${sig(a.batch_cost)}</b>. The mini-batch's ` +
    `average nudge −∇C points at cosine <b>${a.cosine.toFixed(3)}</b> to the average over ` +
    `all ${a.n_full.toLocaleString()} training ${noun()}s (1: the same direction).`;
  $("average-step").disabled = false;
  $("average-step-summary").textContent = "";
}

async function applyStep() {
  if (!view.shown) return;
  $("average-step").disabled = true;
  try {
    const s = await api("average/step", {rows: view.shown.examples.map((e) => e.index),
                                         eta: Number($("average-eta").value)});
    $("average-step-summary").innerHTML = `One step w ← w − η ∂C/∂w with η = ${s.eta} (on a ` +
      `copy: the model stays as it is): this mini-batch's cost ${sig(s.cost_before)} → ` +
      `<b>${sig(s.cost_after)}</b>; ${s.held_out} held-out test ${noun()}s ` +
      `${sig(s.held_out_before)} → <b>${sig(s.held_out_after)}</b>.`;
  } catch (e) { $("average-step-summary").textContent = e.message; }
  $("average-step").disabled = false;
}
