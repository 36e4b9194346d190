// Watch it learn: train a fresh network in the background; the cost and accuracy curves and
// the first layer's weight images follow it as it learns.

import {api, sessionId} from "./api.js";
import {rowName, tableHTML} from "./average-table.js";
import {dots, frame, line, niceTicks, paint, xAxis, xTitle, yAxis} from "./chart.js";
import {heatmap} from "./pictures.js";
import {noun, state} from "./state.js";
import {loadModel, renderBanner} from "./status.js";
import {$, HI, POS, bound, esc, fillOptions, fmt} from "./util.js";

let run = null, polling = null, offered = null;
const say = (e) => { $("learn-status").textContent = e.message; };

export function setupLearn(config) {
  $("start").addEventListener("click", startRun);
  $("pause").addEventListener("click", () => control(run && run.state === "paused"
    ? "resume" : "pause"));
  $("train-step").addEventListener("click", () => control("step"));
  $("stop").addEventListener("click", () => control("stop"));
  $("use").addEventListener("click", () => choose("train/use"));
  $("unuse").addEventListener("click", () => choose("train/unuse"));
  offered = config;
  emptyCurves();
  fillForm(config);
  fillOptimizers(config);
  for (let i = 0; i < config.sizes.weight_images; i++) {
    const c = document.createElement("canvas");
    c.width = c.height = 28;
    c.className = "pixels";
    c.setAttribute("role", "img");
    c.setAttribute("aria-label", `the weights into neuron ${i} of the first hidden layer`);
    $("weight-images").appendChild(c);
  }
}

// Show this tab the run's network ("train/use"), or the server's again ("train/unuse").
async function choose(path) {
  try {
    state.status = await api(path, {session: sessionId()});
    renderBanner();
    $("unuse").hidden = !state.status.own;
    await loadModel();
  } catch (e) { say(e); }
}

// The form's choices, limits and starting values, as the server states them.
function fillForm({limits, defaults: {train, pace}, kinds, sizes}) {
  $("hidden").value = train.hidden.join(",");
  $("hidden").title = `up to ${limits.hidden_layers.le} layers of ${limits.neurons.ge} to ` +
    `${limits.neurons.le} neurons, comma-separated`;
  fillOptions($("kind"), kinds.map((k) => [k.name, k.label]));
  $("kind").value = train.kind;
  $("kind").addEventListener("change", () => {
    $("batch").value = kinds.find((k) => k.name === $("kind").value).batch_size;
    suggestEta();
  });
  bound($("eta"), limits.eta, train.eta);
  bound($("batch"), limits.batch_size, train.batch_size);
  bound($("epochs"), limits.epochs, train.epochs);
  fillOptions($("pace"), [["fast", "full speed"], ["slow", `slow motion ` +
    `(${sizes.slow_batches_per_second} mini-batches a second)`],
                          ["follow", "a step a second, with its batch"]]);
  $("pace").value = pace;
}

// The optimizers the server registers, and an input for each setting it lets the page set;
// only the chosen optimizer's settings are shown (and sent).
function fillOptimizers({limits, defaults: {train}, optimizers, optimizer_settings}) {
  fillOptions($("optimizer"), optimizers.map((o) => [o.name, o.name]));
  $("optimizer").value = train.optimizer;
  for (const {name, label, step, default: value} of optimizer_settings) {
    const input = Object.assign(document.createElement("input"), {type: "number", step});
    input.id = `setting-${name}`;
    bound(input, limits[name], value);
    const wrap = document.createElement("label");
    wrap.dataset.setting = name;
    wrap.append(label, input);
    $("optimizer-settings").append(wrap);
  }
  $("optimizer").addEventListener("change", () => { showOptimizer(); suggestEta(); });
  showOptimizer();
  suggestEta();
}

const chosenOptimizer = () => offered.optimizers.find((o) => o.name === $("optimizer").value);

function showOptimizer() {
  const {about, uses} = chosenOptimizer();
  $("optimizer-about").textContent = about;
  for (const label of $("optimizer-settings").children) {
    label.hidden = !uses.includes(label.dataset.setting);
  }
}

// η as the server suggests it for this kind of network with this optimizer; its arrows
// step by the power of ten below it (0.1 for 0.3, 0.001 for 0.001).
function suggestEta() {
  const eta = offered.kinds.find((k) => k.name === $("kind").value).etas[chosenOptimizer().name];
  $("eta").value = eta;
  $("eta").step = 10 ** Math.floor(Math.log10(eta));
}

function optimizerBody() {
  const {name, uses} = chosenOptimizer();
  return Object.fromEntries([["optimizer", name],
    ...uses.map((s) => [s, Number($(`setting-${s}`).value)])]);
}

async function startRun() {
  const text = $("hidden").value.trim();
  const hidden = text ? text.split(/[\s,]+/).map(Number) : [];
  const body = {session: sessionId(), hidden, kind: $("kind").value,
                eta: Number($("eta").value), batch_size: Number($("batch").value),
                epochs: Number($("epochs").value), slow: $("pace").value === "slow",
                follow: $("pace").value === "follow",
                ...optimizerBody()};
  try { renderRun(await api("train/start", body)); poll(); } catch (e) { say(e); }
}

async function control(action) {
  try {
    renderRun(await api("train/control", {session: sessionId(), action}));
    poll();
  } catch (e) { say(e); }
}

// Follow this tab's run while it runs or waits (called again when the tab is shown).
export function poll() {
  if (!run) return;
  clearTimeout(polling);
  polling = setTimeout(async () => {
    try {
      const latest = await api(`train/status?session=${sessionId()}&images=true`);
      renderRun(latest);
      if (latest.state === "running" || latest.state === "paused") poll();
    } catch (e) { say(e); }
  }, run.state === "paused" ? 1000 : 400);
}

function renderRun(latest) {
  run = latest;
  const active = run.state === "running" || run.state === "paused";
  $("pause").disabled = $("train-step").disabled = $("stop").disabled = !active;
  $("pause").textContent = run.state === "paused" ? "Resume" : "Pause";
  $("use").disabled = run.seen === 0;
  $("learn-status").innerHTML = runSummary();
  $("cost-title").textContent = `Cost on ${run.probe.toLocaleString()} validation ${noun()}s`;
  renderCurves();
  renderBatch(run.settings.follow ? run.batch : null);
  if (run.weight_images) renderImages(run.weight_images);
}

// The run in words. The epoch is the one the examples seen so far reached (a stopped run
// says where it stopped), and a run that has not taken its first step says what it is doing.
function runSummary() {
  const perEpoch = run.total / run.settings.epochs;
  const epoch = Math.max(1, Math.min(run.settings.epochs, Math.ceil(run.seen / perEpoch)));
  const last = run.points.at(-1);
  const test = run.epochs.length
    ? `; test set ${run.epochs.at(-1).test_accuracy.toFixed(2)}%` : "";
  const head = `<b>${run.state}</b> ${run.sizes.join("-")} (${esc(run.settings.optimizer)})`;
  if (run.seen === 0 && run.state === "running") {
    return `${head}: starting, measuring the cost on ${run.probe.toLocaleString()} ` +
      `validation ${noun()}s before the first step…`;
  }
  const where = run.state === "stopped" ? "stopped in epoch" : "epoch";
  return `${head}: ${where} ${epoch} of ${run.settings.epochs}, ` +
    `${run.seen.toLocaleString()} of ${run.total.toLocaleString()} examples.` +
    (last ? ` Validation: cost ${last[1].toFixed(4)}, ${last[2].toFixed(1)}% right${test}.` : "") +
    (run.state === "failed" ? ` ${esc(run.message)}` : "");
}

function renderCurves() {
  const cost = run.points.map((p) => [p[0], p[1]]);
  const accuracy = run.points.map((p) => [p[0], p[2]]);
  const tests = run.epochs.map((e) => [e.seen, e.test_accuracy]);
  const c = curveFrame([cost], {lo: 0});
  paint($("cost-chart"), [axes(c, "examples seen"), line(c, cost, HI)]);
  const a = curveFrame([accuracy, tests], {lo: 0, hi: 100});
  paint($("accuracy-chart"), [axes(a, "examples seen (dots: the test set after each epoch)"),
                              line(a, accuracy, POS), dots(a, tests, HI)]);
}

// Before any run: both charts' axes and titles, empty, so a learner sees what will be drawn.
function emptyCurves() {
  const c = frame(600, 230, {l: 52, r: 14, t: 12, b: 38}, {lo: 0, hi: 1000}, {lo: 0, hi: 1});
  paint($("cost-chart"), [axes(c, "examples seen (press Start)")]);
  const a = frame(600, 230, {l: 52, r: 14, t: 12, b: 38}, {lo: 0, hi: 1000}, {lo: 0, hi: 100});
  paint($("accuracy-chart"), [axes(a, "examples seen (dots: the test set after each epoch)")]);
}

// x: the examples seen so far (so slow motion moves from the first step); y from y.lo to
// y.hi (a little above the data if y.hi is not given).
function curveFrame(series, y) {
  const points = series.flat();
  const hi = y.hi ?? Math.max(...points.map((p) => p[1]), 1e-6) * 1.05;
  const xMax = Math.max(run.settings.batch_size, ...points.map((p) => p[0]), 1);
  return frame(600, 230, {l: 52, r: 14, t: 12, b: 38}, {lo: 0, hi: xMax}, {lo: y.lo, hi});
}

const axes = (f, title) => yAxis(f) + xAxis(f, niceTicks(0, f.x.hi, 6)) + xTitle(f, title);

// At the pace a person can follow: the batch the next step takes, each example's nudges to a
// few parameters and their average, which plain SGD moves by η times.
function renderBatch(b) {
  $("learn-batch-card").hidden = !b;
  if (!b) return;
  $("learn-batch").innerHTML = tableHTML({...b, n_full: 0, cosine: 0}, {average: false});
  const r = b.rows[0];
  $("learn-batch-note").innerHTML = r ? `Step ${b.step.toLocaleString()} takes these ` +
    `${b.examples.length} ${noun()}s. Their nudges to ${rowName(r)} average ` +
    `<b>${fmt(r.average)}</b>, minus this batch's gradient there; plain SGD moves it by ` +
    `η = ${run.settings.eta} times that (other optimizers rescale it).` : "";
}

function renderImages({side, values}) {
  const canvases = $("weight-images").children;
  values.forEach((v, i) => heatmap(canvases[i], v, [side, side]));
  for (let i = values.length; i < canvases.length; i++) canvases[i].hidden = true;
}
