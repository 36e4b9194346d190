// See every layer: the pad's picture sent through the network, and the diagram redrawn.
// Seeing the nudges reuses this view, with the wishes drawn over it (see nudges.js).

import {api} from "./api.js";
import {diagram} from "./diagram.js";
import {padImage, shownExample} from "./pad.js";
import {grayCanvas} from "./pictures.js";
import {rowBody, showRow} from "./rows.js";
import {className, state} from "./state.js";
import {$} from "./util.js";

let busy = false, dirty = false;
const renderers = [];

// fn(result, nudging) runs after each redraw of the diagram.
export function onRender(fn) { renderers.push(fn); }

// Ask the server about the pad's picture: at most one request at a time, the latest wins.
export async function schedule() {
  if (busy) { dirty = true; return; }
  busy = true;
  try {
    do { dirty = false; await refresh(); } while (dirty);
  } finally { busy = false; }
}

async function refresh() {
  if (!state.model) return;
  const image = state.kind === "table" ? null : padImage();
  const about = state.kind === "table" ? null : shownExample();
  if (!image && state.kind !== "table") { state.result = state.about = null; render(); return; }
  const wishes = state.view === "nudges" && state.target !== null && image;
  const body = state.kind === "table" ? rowBody()
    : wishes ? {image, label: state.target, neuron: state.neuron} : {image};
  try {
    state.result = await api(wishes ? "wishes" : "forward", body);
    state.about = about;
    state.error = null;
  } catch (e) { state.error = e.message; }
  render();
}

export function render() {
  if (!state.model) return;
  const r = state.result, nudging = Boolean(state.view === "nudges" && r && r.nudge_edges);
  const example = state.kind === "table" ? (r && r.test_index !== undefined ? r : null)
    : state.about;                       // the digit r is about, not the one the pad shows now
  const label = nudging ? r.label : example ? example.label : null;
  $("net").innerHTML = diagram(state.model, r, nudging, state.error,
                               {rescale: state.rescale, follow: state.neuron !== null, label,
                                stage: nudging ? state.stage : null,
                                name: className,
                                features: state.kind === "table" ? state.features : null});
  if (state.kind === "table") showRow(r, className);
  const said = r ? className(r.prediction) : "?";
  $("predicted-digit").textContent = said;
  $("predicted-digit").classList.toggle("word", said.length > 3);     // "Ankle boot"
  const wrong = r && label !== null && r.prediction !== label;
  $("prediction-note").textContent = wrong ? `✗ wrong: it is a ${className(label)}` : "";
  if (state.focus && document.activeElement === document.body) {   // redrawn: keep the focus
    const circle = $("net").querySelector(state.focus);
    if (circle) circle.focus();
  }
  renderSeen(r);
  for (const fn of renderers) fn(r, nudging);
}

export function showError(e) {
  state.error = e.message || String(e);
  render();
}

function renderSeen(r) {
  if (state.kind === "table") return;                 // no picture to show
  const ctx = $("seen").getContext("2d");
  if (r) ctx.drawImage(grayCanvas(r.input), 0, 0);
  else { ctx.fillStyle = "#000"; ctx.fillRect(0, 0, 28, 28); }
}
