// The playground view: 2-D points, a network small enough to see whole, trained on the server
// (/api/playground/…) a step, ten, an epoch at a time or continuously; click a point to see
// its nudges, draw a batch to see their average. The page only draws the server's numbers.

import {api} from "./api.js";
import {CLASS_COLOURS, bars, drawCurves, drawNetwork, drawRegions} from "./playground-draw.js";
import {save} from "./export.js";
import {exportModel, exportPng, figure} from "./playground-export.js";
import {buildForm, fromHash, readForm, toHash, writeForm} from "./playground-ui.js";
import {$, fmt, num} from "./util.js";

const pg = {options: null, config: null, frame: null, points: null, shown: null,
            batch: null, running: false, frames: [], ready: false, picking: false,
            picked: new Set()};
export const playgroundState = pg;

const percent = (v) => `${(100 * v).toFixed(1)}%`;
const cost = (v) => (v === null ? "not finite" : num(v, 4));

// The address of the run shown (#playground/…), for the tab bar; an address that names a
// run is kept, to be built.
export function playgroundHash() {
  if (location.hash.startsWith("#playground/")) return location.hash;
  return pg.config ? toHash(pg.config) : "#playground";
}

// The controls, from the server's choices; the other views start whatever happens here.
export async function setupPlayground() {
  try {
    pg.options = await api("playground/options");
  } catch (e) {
    $("playground-view").textContent = "The playground is unavailable: " + e.message;
    return;
  }
  buildForm($("playground-view"), pg.options);
  $("pg-form").addEventListener("submit", (e) => { e.preventDefault(); build(readForm()); });
  $("pg-step").addEventListener("click", () => train({steps: 1}));
  $("pg-step10").addEventListener("click", () => train({steps: 10}));
  $("pg-epoch").addEventListener("click", () => train({epoch: true}));
  $("pg-run").addEventListener("click", () => (pg.running ? pause() : run()));
  $("pg-show").addEventListener("click", () => showPoint($("pg-which").value,
                                                          Number($("pg-index").value)));
  $("pg-weights").addEventListener("click", () => { pg.shown = null; draw(); });
  $("pg-rescale").addEventListener("change", draw);
  $("pg-regions").addEventListener("click", clickPoint);
  $("pg-net").addEventListener("click", clickEdge);
  $("pg-draw-batch").addEventListener("click", () => drawBatch(false));
  $("pg-pick").addEventListener("click", togglePicking);
  $("pg-apply").addEventListener("click", () => drawBatch(true));
  $("pg-csv").addEventListener("change", upload);
  $("pg-png").addEventListener("click", exportPng);
  $("pg-svg").addEventListener("click", () => save(new Blob([figure()],
    {type: "image/svg+xml"}), "playground.svg"));
  $("pg-model").addEventListener("click", exportModel);
  pg.ready = true;
}

// Show the view: build the run the address asks for, unless it is the one shown.
export function showPlayground() {
  if (!pg.ready) return;
  const defaults = {...pg.options.defaults, ...(pg.options.csv ? {data: "csv"} : {})};
  const config = fromHash(location.hash, defaults);
  if (pg.config && toHash(config) === toHash(pg.config)) return;
  writeForm(config);
  build(config);
}

async function build(config) {
  pause();
  try {
    const answer = await api("playground/configure", config);
    $("pg-error").textContent = "";
    pg.config = answer.config;
    pg.points = {train: answer.train, train_labels: answer.train_labels,
                 test: answer.test, test_labels: answer.test_labels};
    pg.shown = pg.batch = null;
    pg.picked.clear();
    $("pg-apply").disabled = true;
    history.replaceState(null, "", toHash(pg.config));
    show(answer);
  } catch (e) {
    $("pg-error").textContent = e.message;
  }
}

async function train(request, keepShown = false) {
  try {
    const answer = await api("playground/step", request);
    $("pg-error").textContent = "";
    show(answer, keepShown);
    return answer;
  } catch (e) {
    $("pg-error").textContent = e.message;
    pause();
    return null;
  }
}

// A new frame: the nudges of the point shown are recomputed for the new weights.
async function show(frame, keepShown = false) {
  pg.frame = {...frame, weightRef: pg.options.scales.weight};
  pg.frames.push(performance.now());
  if (pg.frames.length > 30) pg.frames.shift();
  if (pg.shown && !keepShown) await showPoint(pg.shown.which, pg.shown.index, false);
  draw();
}

function draw() {
  const f = pg.frame;
  if (!f) return;
  const names = ["x", "y", ...f.config.features.map((n) => pg.options.features[n])];
  const shown = pg.shown && {...pg.shown, ref: nudgeRef()};
  drawRegions($("pg-regions"), f, pg.points, pg.shown, pg.picked);
  drawNetwork($("pg-net"), f, names, shown);
  drawCurves($("pg-cost-chart"), $("pg-accuracy-chart"), f.history);
  $("pg-counters").textContent = counters(f);
  $("pg-legend").textContent = legend(shown);
  $("pg-net").dataset.step = f.step;
}

function counters(f) {
  const h = f.history[f.history.length - 1], n = pg.frames.length;
  const fps = n > 1 ? (n - 1) / ((pg.frames[n - 1] - pg.frames[0]) / 1000) : 0;
  return `step ${f.step.toLocaleString()} · epoch ${f.epoch} (batch ${f.batch_in_epoch} of ` +
    `${f.batches_per_epoch}) · accuracy ${percent(h.train_accuracy)} train, ` +
    `${percent(h.test_accuracy)} test · cost ${cost(h.train_cost)} train, ` +
    `${cost(h.test_cost)} test` + (pg.running ? ` · ${fps.toFixed(1)} frames/s` : "");
}

// The nudges' scale: the absolute one (as in the MNIST views), or this point's largest.
function nudgeRef() {
  if (!$("pg-rescale").checked) return pg.options.scales.nudge;
  return Math.max(1e-12, ...pg.shown.nudge_w.flat(2).map(Math.abs));
}

function legend(shown) {
  const nodes = "Inside each neuron: its activation over the plane (blue +, red −, full " +
    "colour at ±1). Regions: the class predicted there, brighter where the winning output is " +
    "larger; filled dots are training points, hollow ones test points.";
  if (!shown) {
    return `Lines: every weight w on one absolute scale: blue w > 0, red w < 0; the thickest ` +
      `line is |w| ≥ ${pg.options.scales.weight}. ${nodes}`;
  }
  const scale = $("pg-rescale").checked
    ? `rescaled: the thickest line is this point's largest nudge, ${num(shown.ref, 4)} ` +
      `(×${num(pg.options.scales.nudge / shown.ref, 3)} the absolute scale)`
    : `absolute scale: the thickest line is a nudge of ${pg.options.scales.nudge} or more`;
  return `Lines: point ${shown.which} #${shown.index}'s nudge −∂C/∂w on every weight, ${scale}; ` +
    `blue: it wants the weight up, red: down. Yellow numbers: each neuron's wish −∂C/∂a; ` +
    `bars: each bias's nudge. ${nodes}`;
}

// One point's backprop: its cost, the output wishes, every nudge, the wishes passed back.
async function showPoint(which, index, redraw = true) {
  try {
    pg.shown = await api("playground/point", {which, index});
  } catch (e) {
    $("pg-point-summary").textContent = e.message;
    return;
  }
  $("pg-which").value = which;
  $("pg-index").value = index;
  const s = pg.shown, right = s.prediction === s.label;
  $("pg-point-summary").textContent = `${which} point #${index} at (${num(s.point[0], 2)}, ` +
    `${num(s.point[1], 2)}), class ${s.label}: the network says class ${s.prediction} ` +
    `(${right ? "right" : "wrong"}); its cost C = ${num(s.cost, 4)}. Its output wishes ` +
    `(−∂C/∂a): ${s.output_wish.map((w, j) => `class ${j} ${fmt(w, 3)}`).join(", ")}.`;
  bars($("pg-wishes"), s.output_wish, s.output_wish.map((_, j) => CLASS_COLOURS[j]),
       {title: "output wishes −∂C/∂a, one bar per class"});
  if (redraw) draw();
}

function clickPoint(e) {
  const dot = e.target.closest("circle[data-index]");
  if (!dot) return;
  const index = Number(dot.dataset.index);
  if (!pg.picking) {
    showPoint(dot.dataset.which, index);
  } else if (dot.dataset.which === "train") {
    if (!pg.picked.delete(index)) pg.picked.add(index);
    $("pg-draw-batch").textContent = pg.picked.size ? `Average the ${pg.picked.size} picked`
      : "Draw a batch";
    draw();
  }
}

// Picking: clicks on training points choose the batch (a second click puts one back).
function togglePicking() {
  pg.picking = !pg.picking;
  $("pg-pick").setAttribute("aria-pressed", String(pg.picking));
  if (!pg.picking) return;
  pg.picked.clear();
  $("pg-draw-batch").textContent = "Draw a batch";
  draw();
}

function clickEdge(e) {
  const edge = e.target.closest("line[data-l]");
  if (!edge) return;
  $("pg-wl").value = edge.dataset.l;
  $("pg-wj").value = edge.dataset.j;
  $("pg-wk").value = edge.dataset.k;
}

// A mini-batch's nudges on one weight, their average and the full gradient's; with apply,
// the step on that very batch.
async function drawBatch(apply) {
  const weight = ["pg-wl", "pg-wj", "pg-wk"].map((id) => Number($(id).value));
  const picked = [...pg.picked].sort((a, b) => a - b);
  const request = apply && pg.batch ? {rows: pg.batch.rows, weight, apply: true}
    : picked.length ? {rows: picked, weight}
      : {size: Number($("pg-batch-size").value), seed: Math.floor(Math.random() * 2 ** 31),
         weight};
  try {
    const before = pg.frame.history[pg.frame.history.length - 1].train_cost;
    pg.batch = await api("playground/batch", request);
    describeBatch(pg.batch, apply ? before : null);
    if (pg.batch.frame) show(pg.batch.frame);
    $("pg-apply").disabled = false;
  } catch (e) {
    $("pg-batch-summary").textContent = e.message;
  }
}

function describeBatch(b, before) {
  const [l, j, k] = b.weight, c = b.cosine;
  const way = c > 0.5 ? "roughly the way of" : c > 0 ? "partly the way of" : "against";
  let words = `${b.rows.length} training points: their nudges on w[${l}][${j}][${k}] average ` +
    `${fmt(b.average, 5)}; the full training set's is ${fmt(b.full, 5)}. Over every weight and ` +
    `bias, the batch's step points ${way} the full gradient's (cosine ${num(c, 3)}).`;
  if (before !== null && b.frame) {
    const after = b.frame.history[b.frame.history.length - 1].train_cost;
    words += ` This step ${after < before ? "lowered" : "did not lower"} the training cost ` +
      `(from ${cost(before)} to ${cost(after)}).`;
  }
  $("pg-batch-summary").textContent = words;
  bars($("pg-batch-chart"), b.nudges, b.labels.map((y) => CLASS_COLOURS[y]), {
    title: "each point's nudge; white: average, dashed: full set",
    marks: [{value: b.average, colour: "#fff"}, {value: b.full, colour: "#fff", dash: "5 4"}]});
}

// Run: frame after frame, each as many steps as the speed asks (the server stops a request
// after a fraction of a second, so a frame comes back soon), until Pause.
async function run() {
  pg.running = true;
  pg.frames = [];
  $("pg-run").textContent = "Pause";
  $("pg-run").setAttribute("aria-pressed", "true");
  while (pg.running && document.body.dataset.view === "playground") {
    const answer = await train({steps: Number($("pg-speed").value)});
    if (!answer) break;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  pause();
}

function pause() {
  pg.running = false;
  if (!$("pg-run")) return;
  $("pg-run").textContent = "Run";
  $("pg-run").setAttribute("aria-pressed", "false");
}

async function upload() {
  const file = $("pg-csv").files[0];
  if (!file) return;
  try {
    await api("playground/upload", {csv: await file.text()});
    if (![...$("pg-data").options].some((o) => o.value === "csv")) {
      $("pg-data").add(new Option("your CSV", "csv"));
    }
    $("pg-data").value = "csv";
    build(readForm());
  } catch (e) {
    $("pg-error").textContent = e.message;
  }
}
