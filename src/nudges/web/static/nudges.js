// See the nudges: the digit the network should have said, each neuron's wish, the chosen
// neuron's weight nudges, and one step of gradient descent on this example alone.

import {api} from "./api.js";
import {bar, caption, frame, paint, rule, text, xAxis, yAxis} from "./chart.js";
import {NUDGE_REF, WISH_REF, glowingNudges, nudgeScale} from "./diagram.js";
import {bars, factorBars} from "./figures.js";
import {padImage} from "./pad.js";
import {heatmap} from "./pictures.js";
import {onRender, render, schedule} from "./see.js";
import {className, shortName, state} from "./state.js";
import {$, DIM, HI, RESOLUTION, bound, esc, fmt, maxAbs, num, sig} from "./util.js";

const range = (n) => [...Array(n).keys()];
// Blue and red mean nudge up and down in this view; the step's charts use their own colours.
const AFTER = "#dde3ec", BETTER = "#6fdc8c", WORSE = "#f0a35e";
const PICK = "Pick the right answer: every neuron, weight and bias then shows how this one " +
  "example wants it nudged.";
let stepHint = "";

export function setupNudges(config) {
  targetButtons(config.classes);
  const choose = (e) => {
    const circle = e.target.closest("[data-layer]");
    if (!circle || state.view !== "nudges") return;
    state.neuron = {layer: Number(circle.dataset.layer), index: Number(circle.dataset.index)};
    state.focus = `[data-layer="${circle.dataset.layer}"][data-index="${circle.dataset.index}"]`;
    schedule();
  };
  $("net").addEventListener("click", choose);
  $("net").addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(e); }
  });
  $("rescale").addEventListener("change", () => { state.rescale = $("rescale").checked; render(); });
  bound($("step-eta"), config.limits.eta, config.defaults.step.eta);
  $("step").addEventListener("click", applyStep);
  $("step-count").addEventListener("change", () => {
    const n = Number($("step-count").value);
    $("step").textContent = n === 1 ? "Apply one step" : `Apply ${n} steps`;
  });
  onRender(renderWishes);
}

// One button per class, named as the data names it (digits, letters, clothes).
function targetButtons(classes) {
  const longest = Math.max(...classes.map((c) => c.length));
  $("targets").classList.toggle("many", classes.length > 10);
  $("targets").classList.toggle("words", longest > 2);
  for (const d of range(classes.length)) {
    const b = document.createElement("button");
    b.textContent = className(d);
    b.dataset.digit = d;
    b.setAttribute("aria-pressed", "false");
    b.addEventListener("click", () => setTarget(d, true));
    $("targets").appendChild(b);
  }
}

// The class the network should have said; refresh: ask the server again now.
export function setTarget(digit, refresh) {
  state.target = digit;
  for (const b of $("targets").children) {
    b.setAttribute("aria-pressed", String(Number(b.dataset.digit) === digit));
  }
  $("step").disabled = false;
  if (refresh) changed();
}

// The picture or the wish changed: the last step's charts are stale; ask the server again.
export function changed() {
  stepHint = stepHint || $("step-summary").textContent;
  $("step-summary").textContent = stepHint;
  $("step-outputs").innerHTML = "";
  $("step-digits").innerHTML = "";
  schedule();
}

function renderWishes(r, nudging) {
  if (!nudging) {
    if (state.view === "nudges" && state.target === null) $("wish-summary").textContent = PICK;
    return;
  }
  const wishes = r.output_wish.map((w, j) => [w, j])
    .sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]));
  const listed = wishes.slice(0, 3).map(([w, j]) => `${esc(className(j))} ` +
    `${w >= 0 ? "up" : "down"} by ${num(Math.abs(w), 2)}`).join(", ");
  $("wish-summary").innerHTML = `This example's cost C<sub>x</sub> = <b>${sig(r.cost)}</b>. ` +
    `It wishes output ${listed}. The glowing lines are ${state.neuron === null
      ? "its biggest weight nudges in each layer" : "the chosen neuron's biggest weight " +
      "nudges"} (blue: strengthen, red: weaken).`;
  renderMagnitude(r);
  renderNeuron(r.neuron);
}

// The legend of magnitude: what the thickest line means, and whether it is rescaled.
function renderMagnitude(r) {
  const groups = glowingNudges(r, state.neuron !== null);
  const biggest = maxAbs(groups.flatMap((g) => g.edges.map((e) => e[2])));
  const {rescaled} = nudgeScale(r, {rescale: state.rescale, follow: state.neuron !== null});
  const m = $("magnitude");
  m.classList.toggle("on", rescaled);
  m.textContent = rescaled
    ? `RESCALED to this example: thickest line = its biggest nudge, ${num(biggest)} ` +
      `(×${sig(NUDGE_REF / biggest)} the absolute scale); longest arrow = each layer's ` +
      `biggest wish; width and length ∝ √|value|`
    : `absolute scale: thickest line = a nudge of ${NUDGE_REF}, longest arrow = a wish of ` +
      `${WISH_REF}, width and length ∝ √|value|; this example's biggest nudge is ` +
      `${num(biggest)}${state.rescale ? " (too small to rescale)" : ""}`;
}

// The scale of a neuron's nudges: NUDGE_REF, or (rescale) their biggest if at least RESOLUTION.
const nudgeTop = (values) => (state.rescale && maxAbs(values) >= RESOLUTION ? maxAbs(values)
  : NUDGE_REF);

function renderNeuron(n) {
  const last = state.model.sizes.length - 1;
  const where = n.layer === last ? "output" : `hidden layer ${n.layer}`;
  $("neuron-summary").innerHTML = `Chosen: neuron ${n.index} of ${where} (click any neuron). ` +
    `It wishes its activation ${n.wish >= 0 ? "up" : "down"} by <b>${num(Math.abs(n.wish))}</b>; ` +
    `bias nudge ${fmt(n.bias_nudge)}. Its weight nudges −δ<sub>j</sub>a<sub>k</sub> are ` +
    `strongest from the brightest inputs: fire together, wire together.`;
  const from = n.layer === 1 ? "" : ` from hidden layer ${n.layer - 1}, row by row`;
  const top = nudgeTop(n.nudges);
  $("neuron-nudges-caption").textContent = `neuron ${n.index}'s weight nudges${from} ` +
    `(${state.rescale ? "rescaled: " : ""}full colour ${num(top)})`;
  $("neuron-nudges").setAttribute("aria-label", $("neuron-nudges-caption").textContent);
  $("neuron-factors").innerHTML = factorBars(n, n.layer === 1 ? "pixel" : "a");
  $("neuron-inputs").innerHTML = n.shape[0] === 1 ? inputBars(n) : "";
  heatmap($("neuron-nudges"), n.nudges, n.shape, top);
  heatmap($("neuron-weights"), n.weights, n.shape);
}

// A neuron fed by a hidden layer: its weight nudges as bars named by the neuron each weight
// comes from (the 16 biggest), on the diagram's scale.
function inputBars(n) {
  const shown = n.nudges.map((v, k) => [v, k]).sort((p, q) => Math.abs(q[0]) - Math.abs(p[0]))
    .slice(0, 16).sort((p, q) => p[1] - q[1]);
  const scale = nudgeTop(n.nudges);
  return bars(shown.map(([v, k]) => ({name: `from ${k}`, value: v})), {scale,
    caption: `nudges to neuron ${n.index}'s weights, by the neuron of hidden layer ` +
      `${n.layer - 1} each comes from (${state.rescale ? "rescaled: full bar" : "full bar"} ` +
      `= ${num(scale)})`});
}

async function applyStep() {
  const image = padImage();
  if (!image || state.target === null) return;
  const eta = Number($("step-eta").value), steps = Number($("step-count").value);
  $("step").disabled = true;
  try {
    const s = await api("step", {image, label: state.target, eta, steps});
    outputsChart($("step-outputs"), s.output_before, s.output_after, state.target);
    digitsChart($("step-digits"), s.digit_change, s.digit_counts);
    const others = s.digit_counts.reduce((a, b) => a + b, 0);
    $("step-summary").innerHTML = `${steps === 1 ? "One step" : `${steps} steps`} with ` +
      `η = ${s.eta}: this example's cost ${sig(s.cost_before)} → <b>${sig(s.cost_after)}</b>. ` +
      `On the right, what it did to ${others} other test examples (on a copy: the model stays ` +
      `as it is).`;
  } catch (e) { $("step-summary").textContent = e.message; }
  $("step").disabled = false;
}

// The outputs before (grey) and after (colour) the step; the wished-for class stands out.
// Each class is named on the axis if its name is short (shortName), else numbered.
export function outputsChart(svg, before, after, target) {
  const classes = range(before.length);
  const f = frame(320, 150, {l: 14, r: 6, t: 18, b: 22}, {lo: 0, hi: classes.length},
                  {lo: 0, hi: 1});
  paint(svg, [
    caption(f, "output before (grey) and after (colour)"),
    ...classes.map((j) => bar(f, [j, j + 0.38], [0, before[j]], DIM) +
      bar(f, [j + 0.42, j + 0.8], [0, after[j]], j === target ? HI : AFTER)),
    xAxis(f, classes, {at: (j) => j + 0.4, label: shortName,
                      cls: (j) => (j === target ? "target" : "")}),
    rule(f, 0),
  ]);
}

// How the step changed the cost of the other test examples, by label: down is better.
export function digitsChart(svg, change, counts) {
  const v = (j) => (counts[j] ? change[j] : 0), classes = range(change.length);
  const most = maxAbs(classes.map(v)), mag = 10 ** Math.floor(Math.log10(most));
  const top = Math.ceil(most / mag) * mag;         // a round number: the axis says the size
  const f = frame(320, 150, {l: 50, r: 6, t: 28, b: 26}, {lo: 0, hi: classes.length},
                  {lo: -top, hi: top});
  paint(svg, [
    caption(f, "mean cost change of other test examples"),
    yAxis(f, [-top, 0, top]),
    ...classes.map((j) => bar(f, [j + 0.15, j + 0.85], [0, v(j)], v(j) <= 0 ? BETTER : WORSE)),
    xAxis(f, classes, {at: (j) => j + 0.5, label: shortName, below: 20}),
    rule(f, 0),
    text(f.width - 8, 24, "worse ↑", {anchor: "end", fill: WORSE}),
    text(f.width - 8, f.height - 18, "better ↓", {anchor: "end", fill: BETTER}),
  ]);
}
