// The backward pass, animated on the diagram, stage by stage as the video tells it: the output
// wishes; the output neurons' levers (their bias and weight nudges); their sum into the
// previous layer's wishes ("the list of nudges to the second-to-last layer"); then the same
// recursion one layer further back, down to the first hidden layer. Back, Step and Play move
// through the stages; each highlights the neurons and weights it uses and shows its formula
// with this example's numbers (the server's: nudges.wishes, nudges.example_nudges).

import {onRender, render} from "./see.js";
import {state} from "./state.js";
import {$, fmt} from "./util.js";

export const backward = {stage: null, timer: null, stages: []};   // stage null: all at once
const PACE = 1800;                                                  // ms a stage, playing

const sub = (s) => `<sub>${s}</sub>`;

// The stages for one /api/wishes answer r on a network of `sizes`.
export function stagesOf(r, sizes) {
  const last = sizes.length - 1, out = [];
  out.push({title: "the output wishes", wishes: last, edges: null,
            formula: `wish${sub("j")} = −∂C${sub("x")}/∂a${sub("j")}<sup>(${last})</sup>`,
            numbers: topWishes(r, last)});
  for (let l = last; l >= 1; l--) {
    const layer = l === last ? "output" : `hidden layer ${l}`;
    out.push({title: `the levers of the ${layer}'s neurons: their weight and bias nudges`,
              wishes: l, edges: l,
              formula: `−∂C/∂w${sub("jk")} = a${sub("k")}<sup>(${l - 1})</sup> σ′(z${sub("j")}) ` +
                `wish${sub("j")} &nbsp; −∂C/∂b${sub("j")} = σ′(z${sub("j")}) wish${sub("j")}`,
              numbers: topNudges(r, l)});
    if (l > 1) {
      out.push({title: `their sum: the wishes passed back to hidden layer ${l - 1}`,
                wishes: l - 1, edges: null,
                formula: `wish${sub("k")}<sup>(${l - 1})</sup> = Σ${sub("j")} w${sub("jk")} ` +
                  `σ′(z${sub("j")}) wish${sub("j")}<sup>(${l})</sup>`,
                numbers: topWishes(r, l - 1)});
    }
  }
  return out;
}

// The three biggest wishes of page layer l, and three biggest weight nudges into it.
function topWishes(r, l) {
  return r.activation_wishes[l].map((v, j) => ({name: `wish${sub(j)}`, layer: l, j, k: "",
                                                value: v}))
    .sort((p, q) => Math.abs(q.value) - Math.abs(p.value)).slice(0, 3);
}

function topNudges(r, l) {
  const weights = r.nudge_edges[l].slice(0, 3).map(([j, k, v]) => ({
    name: `−∂C/∂w${sub(`${j},${k}`)}`, layer: l, j, k, value: v}));
  const biases = r.bias_nudges[l].map((v, j) => ({name: `−∂C/∂b${sub(j)}`, layer: l, j, k: "b",
                                                   value: v}))
    .sort((p, q) => Math.abs(q.value) - Math.abs(p.value)).slice(0, 2);
  return [...weights, ...biases];
}

// The current stage ({wishes, edges}: which layer's wishes and nudges the diagram shows), or
// null for all at once; kept in state.stage, which the diagram reads.
function stageFilter() {
  return backward.stage === null ? null : backward.stages[backward.stage] || null;
}

function redraw() {
  state.stage = stageFilter();
  render();
}

export function setupBackward() {
  $("bw-step").addEventListener("click", () => go(1));
  $("bw-back").addEventListener("click", () => go(-1));
  $("bw-play").addEventListener("click", play);
  $("bw-all").addEventListener("click", () => { stop(); backward.stage = null; redraw(); });
  onRender(show);
}

function go(by) {
  stop();
  const n = backward.stages.length;
  if (!n) return;
  backward.stage = backward.stage === null ? (by > 0 ? 0 : n - 1)
    : Math.max(0, Math.min(n - 1, backward.stage + by));
  redraw();
}

function play() {
  if (backward.timer) { stop(); return; }
  backward.stage = 0;
  redraw();
  $("bw-play").textContent = "❚❚ Pause";
  backward.timer = setInterval(() => {
    if (backward.stage >= backward.stages.length - 1) { stop(); return; }
    backward.stage += 1;
    redraw();
  }, PACE);
}

function stop() {
  clearInterval(backward.timer);
  backward.timer = null;
  $("bw-play").textContent = "▶ Play";
}

// After each redraw: the stages of this answer, and the current stage's text and numbers.
function show(r, nudging) {
  backward.stages = nudging ? stagesOf(r, state.model.sizes) : [];
  if (backward.stage !== null && backward.stage >= backward.stages.length) {
    backward.stage = null;
    state.stage = null;
  }
  const s = stageFilter(), panel = $("bw-text");
  panel.dataset.example = state.about ? state.about.index : "";     // the digit r is about
  for (const id of ["bw-back", "bw-step", "bw-play", "bw-all"]) $(id).disabled = !nudging;
  if (!nudging) { panel.textContent = "Pick the right answer to play the backward pass."; return; }
  if (!s) {
    panel.innerHTML = `All ${backward.stages.length} stages at once. Step or Play to follow the ` +
      `backward pass layer by layer, from the output wishes back.`;
    return;
  }
  panel.innerHTML = `<b>Stage ${backward.stage + 1} of ${backward.stages.length}:</b> ` +
    `${s.title}.<br><span class="formula-inline">${s.formula}</span><br>` +
    s.numbers.map((x) => `<span class="bw-number" data-layer="${x.layer}" data-j="${x.j}" ` +
      `data-k="${x.k}" data-value="${x.value}">${x.name} = ${fmt(x.value)}</span>`).join(", ");
}
