// The notebook widgets (nudges.notebook.widgets: Draw, Nudges, Learn), drawn with the page's own modules.
// The kernel computes every number and sends it in the widget's traits; this only draws, and
// sends back what the reader does (a drawing, a wished digit, a neuron, a button).

import {dots, frame, line, niceTicks, paint, xAxis, xTitle, yAxis} from "./chart.js";
import {diagram} from "./diagram.js";
import {digitsChart, outputsChart} from "./nudges.js";
import {drawnImage, paintPad} from "./pad.js";
import {grayCanvas, heatmap} from "./pictures.js";
import {HI, POS, num, sig} from "./util.js";

const SVG = "http://www.w3.org/2000/svg";

function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

function svgEl(cls, viewBox) {
  const s = document.createElementNS(SVG, "svg");
  s.setAttribute("viewBox", viewBox);
  s.setAttribute("class", cls);
  return s;
}

const button = (text, onclick, cls = "") => el("button", {textContent: text, onclick,
                                                          className: cls});
const set = (model, values) => {
  for (const [key, value] of Object.entries(values)) model.set(key, value);
  model.save_changes();
};
const on = (model, names, fn) => { for (const n of names) model.on(`change:${n}`, fn); fn(); };

// The network diagram, lit by the kernel's latest result (with the wishes if it has them).
function network(model) {
  const svg = svgEl("net", "0 0 1000 620");
  on(model, ["network", "result", "error"], () => {
    const r = model.get("result"), lit = r && r.activations ? r : null;
    svg.innerHTML = diagram(model.get("network"), lit, Boolean(lit && lit.nudge_edges),
                            model.get("error") || null);
  });
  return svg;
}

// A pad to draw on; each finished stroke goes to the kernel as a 56x56 picture.
function pad(model) {
  const canvas = el("canvas", {width: 280, height: 280, className: "pad"});
  let strokes = [], drawing = false, pixels = model.get("result").input || null;
  const at = (e) => {
    const b = canvas.getBoundingClientRect();
    return [(e.clientX - b.left) * canvas.width / b.width, (e.clientY - b.top) * canvas.height / b.height];
  };
  const draw = () => paintPad(canvas, strokes, pixels);
  const send = () => set(model, {image: drawnImage(canvas) || {}});
  canvas.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    pixels = null;                                  // drawing starts a fresh digit
    strokes.push([at(e)]);
    drawing = true;
    draw();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (drawing) { strokes.at(-1).push(at(e)); draw(); }
  });
  const end = () => { if (drawing) { drawing = false; send(); } };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  const clear = button("Clear", () => { strokes = []; pixels = null; draw(); send(); });
  const undo = button("Undo", () => { strokes.pop(); draw(); send(); });
  draw();
  return el("div", {className: "column"}, canvas, el("div", {className: "buttons"}, clear, undo),
            el("p", {className: "hint", textContent: "Draw with the mouse, a pen or a finger."}));
}

function says(model) {
  const p = el("p", {className: "says"});
  on(model, ["result"], () => {
    const r = model.get("result");
    p.innerHTML = r.activations ? `the network says <b>${r.prediction}</b>` : "";
  });
  return p;
}

function renderDraw(model) {
  return el("div", {className: "row"}, pad(model),
            el("div", {className: "grow"}, says(model), network(model)));
}

// The wished digit's buttons, the chosen neuron's nudges and one step on this example.
function renderNudges(model) {
  const targets = el("div", {className: "targets"});
  for (let d = 0; d < model.get("network").sizes.at(-1); d++) {
    targets.append(button(String(d), () => set(model, {target: d})));
  }
  on(model, ["target"], () => [...targets.children].forEach((b, d) =>
    b.setAttribute("aria-pressed", String(d === model.get("target")))));
  const net = network(model);
  net.addEventListener("click", (e) => {
    const circle = e.target.closest("[data-layer]");
    if (circle) set(model, {neuron: [Number(circle.dataset.layer), Number(circle.dataset.index)]});
  });
  const side = el("div", {className: "column"}, el("h4", {textContent: "It should have said…"}),
                  targets, summary(model), neuronImages(model));
  return el("div", {}, el("div", {className: "row"}, side, el("div", {className: "grow"}, net)),
            stepper(model));
}

function summary(model) {
  const p = el("p", {className: "summary"});
  on(model, ["result"], () => {
    const r = model.get("result");
    if (!r.output_wish) { p.textContent = ""; return; }
    const n = r.neuron, top = r.output_wish.map((w, j) => [w, j])
      .sort((a, b) => Math.abs(b[0]) - Math.abs(a[0])).slice(0, 3);
    p.innerHTML = `The network says <b>${r.prediction}</b>; cost C<sub>x</sub> = ` +
      `<b>${sig(r.cost)}</b>. It wishes output ` + top.map(([w, j]) => `${j} ` +
      `${w >= 0 ? "up" : "down"} by ${num(Math.abs(w), 2)}`).join(", ") + `. Chosen: neuron ` +
      `${n.index} of layer ${n.layer} (click any neuron): its wish ${num(n.wish)}.`;
  });
  return p;
}

function neuronImages(model) {
  const nudges = el("canvas", {className: "pixels"}), weights = el("canvas", {className: "pixels"});
  const seen = el("canvas", {className: "pixels", width: 28, height: 28});
  on(model, ["result"], () => {
    const r = model.get("result");
    if (!r.neuron) return;
    seen.getContext("2d").drawImage(grayCanvas(r.input), 0, 0);
    heatmap(nudges, r.neuron.nudges, r.neuron.shape);
    heatmap(weights, r.neuron.weights, r.neuron.shape);
  });
  const fig = (canvas, text) => el("figure", {}, canvas, el("figcaption", {textContent: text}));
  return el("div", {className: "figures"}, fig(seen, "the input"),
            fig(nudges, "the neuron's weight nudges"), fig(weights, "its weights now"));
}

function stepper(model) {
  const eta = el("input", {type: "number", step: 0.5, value: model.get("eta")});
  eta.addEventListener("change", () => set(model, {eta: Number(eta.value)}));
  const outputs = svgEl("chart", "0 0 320 150"), digits = svgEl("chart", "0 0 320 150");
  const text = el("p", {className: "summary"});
  on(model, ["step_result"], () => {
    const s = model.get("step_result");
    if (!s.output_before) { outputs.innerHTML = digits.innerHTML = ""; text.textContent = ""; return; }
    outputsChart(outputs, s.output_before, s.output_after, model.get("target"));
    digitsChart(digits, s.digit_change, s.digit_counts);
    text.innerHTML = `One step with η = ${s.eta}: this example's cost ${sig(s.cost_before)} → ` +
      `<b>${sig(s.cost_after)}</b> (on a copy: the network stays as it is).`;
  });
  const go = button("Apply one step", () => model.send({action: "step"}), "primary");
  return el("div", {className: "step"}, el("div", {className: "buttons"},
            el("label", {}, "η ", eta), go), text, el("div", {className: "charts"}, outputs, digits));
}

// Train with live curves: the kernel's run (nudges.web.runs.Run) reports its snapshot.
function renderLearn(model) {
  const act = (action) => () => model.send({action});
  const pause = button("Pause", () => model.send({action: model.get("run").state === "paused"
    ? "resume" : "pause"}));
  const controls = el("div", {className: "buttons"}, button("Start", act("start"), "primary"),
                      pause, button("Step", act("step")), button("Stop", act("stop")));
  const status = el("p", {className: "summary"});
  const cost = svgEl("chart", "0 0 600 230"), accuracy = svgEl("chart", "0 0 600 230");
  const images = el("div", {className: "weights"});
  on(model, ["run"], () => {
    const run = model.get("run");
    pause.textContent = run.state === "paused" ? "Resume" : "Pause";
    status.innerHTML = runText(run);
    if (run.points && run.points.length) curves(run, cost, accuracy);
  });
  on(model, ["images"], () => weightImages(images, model.get("images")));
  return el("div", {}, controls, status, el("div", {className: "charts"}, cost, accuracy), images);
}

function runText(run) {
  if (!run.state) return "Press Start to train.";
  const last = run.points.at(-1), test = run.epochs.length
    ? `; test set ${run.epochs.at(-1).test_accuracy.toFixed(2)}%` : "";
  return `<b>${run.state}</b> ${run.sizes.join("-")} (${run.settings.optimizer}): ` +
    `${run.seen.toLocaleString()} of ${run.total.toLocaleString()} examples. Validation: cost ` +
    `${last[1].toFixed(4)}, ${last[2].toFixed(1)}% right${test}. ${run.message || ""}`;
}

function curves(run, costSvg, accuracySvg) {
  const xMax = Math.max(run.total, 1);
  const make = (points, lo, hi) => frame(600, 230, {l: 52, r: 14, t: 12, b: 38},
                                         {lo: 0, hi: xMax}, {lo, hi});
  const cost = run.points.map((p) => [p[0], p[1]]), acc = run.points.map((p) => [p[0], p[2]]);
  const tests = run.epochs.map((e) => [e.seen, e.test_accuracy]);
  const axes = (f, title) => yAxis(f) + xAxis(f, niceTicks(0, xMax, 6)) + xTitle(f, title);
  const c = make(cost, 0, Math.max(...cost.map((p) => p[1]), 1e-6) * 1.05);
  paint(costSvg, [axes(c, "examples seen: cost"), line(c, cost, HI)]);
  const a = make(acc, 0, 100);
  paint(accuracySvg, [axes(a, "examples seen: accuracy % (dots: test set)"), line(a, acc, POS),
                      dots(a, tests, HI)]);
}

function weightImages(box, images) {
  if (!images.values) return;
  while (box.children.length < images.values.length) box.append(el("canvas", {className: "pixels"}));
  images.values.forEach((v, i) => heatmap(box.children[i], v, [images.side, images.side]));
}

const VIEWS = {draw: renderDraw, nudges: renderNudges, learn: renderLearn};

export default {
  render({model, el: host}) {
    const listening = [];                    // removed when the notebook drops this view
    const view = {get: (name) => model.get(name), set: (name, value) => model.set(name, value),
                  save_changes: () => model.save_changes(), send: (content) => model.send(content),
                  on: (name, fn) => { model.on(name, fn); listening.push([name, fn]); }};
    host.classList.add("nudges-widget");
    host.replaceChildren(VIEWS[model.get("kind")](view));
    return () => { for (const [name, fn] of listening) model.off(name, fn); };
  },
};
