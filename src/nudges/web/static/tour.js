// The guided tour: the video's argument in ten steps, each a short text, the formula with the
// numbers put in, and a live picture of one real test example going through it. By default it
// runs on the lesson network (tour-lesson.js), which starts untrained, so there is something
// to learn; each step's example is one the network gets wrong or is unsure of, unless the
// learner picks one. Next/Back, the step list, ← → keys and addresses move through it:
// #tour/3?seed=0&steps=120&x=552&n=3.7 (seed and steps of the lesson, or model=trained; the
// example x; the neuron n, layer.index) names a step's whole state, and a reload restores it.

import {api} from "./api.js";
import {loadExample} from "./pad.js";
import {setTarget} from "./nudges.js";
import {state} from "./state.js";
import {fetchLesson, lessonState, renderLesson, setupLesson} from "./tour-lesson.js";
import {STEPS, WHY} from "./tour-steps.js";
import {$} from "./util.js";

const tour = {step: 0, data: null, loading: null, ready: false, show: () => {}, config: null,
              example: null, neuron: null};

// The tour's state as an address's query, and back.
export function tourQuery() {
  const l = lessonState.lesson, q = new URLSearchParams();
  if (l) { q.set("seed", l.seed); q.set("steps", l.steps); } else q.set("model", "trained");
  if (tour.example !== null) q.set("x", tour.example);
  if (tour.neuron) q.set("n", `${tour.neuron.layer}.${tour.neuron.index}`);
  return q.toString();
}

export function setTourQuery(query) {
  const q = new URLSearchParams(query), whole = (k) => {
    const v = Number(q.get(k));
    return q.has(k) && Number.isInteger(v) && v >= 0 ? v : null;
  };
  lessonState.lesson = q.get("model") === "trained" ? null
    : {seed: whole("seed") ?? 0, steps: whole("steps") ?? 0};
  tour.example = whole("x");
  const [layer, index] = (q.get("n") || "").split(".").map(Number);
  tour.neuron = Number.isInteger(layer) && Number.isInteger(index) && layer >= 1 && index >= 0
    ? {layer, index} : null;
}
const VIEW_NAMES = {see: "See every layer", nudges: "See the nudges", average: "Average them",
                    learn: "Watch it learn", noise: "Gradient noise", surface: "Walk downhill"};

// The step shown (0-based); with a number, go there (clamped) first.
export function tourStep(to) {
  if (to !== undefined && Number.isFinite(to)) {
    tour.step = Math.max(0, Math.min(STEPS.length - 1, Math.floor(to)));
  }
  return tour.step;
}

export function setupTour(config, show) {
  Object.assign(tour, {ready: true, show, config});
  $("tour-steps").replaceChildren(...STEPS.map((s, i) => {
    const li = document.createElement("li"), b = document.createElement("button");
    b.textContent = `${i + 1}`;
    b.title = s.title;
    b.setAttribute("aria-label", `step ${i + 1}: ${s.title}`);
    b.addEventListener("click", () => go(i));
    li.append(b);
    return li;
  }));
  $("tour-back").addEventListener("click", () => go(tour.step - 1));
  $("tour-next").addEventListener("click", () => go(tour.step + 1));
  $("tour-link").addEventListener("click", (e) => { e.preventDefault(); openLink(); });
  $("tour-example").addEventListener("change", () => {
    const v = Number($("tour-example").value);
    tour.example = Number.isInteger(v) && v >= 0 ? v : null;
    tour.show("tour");
  });
  $("tour-auto").addEventListener("click", () => { tour.example = null; tour.show("tour"); });
  setupLesson(() => tour.show("tour"));
  document.addEventListener("keydown", onKey);
  if (state.view === "tour") showTour();
}

function onKey(e) {
  if (state.view !== "tour" || e.altKey || e.ctrlKey || e.metaKey) return;
  const target = e.target;
  if (target.closest && target.closest("input, select, textarea, [role=tablist]")) return;
  if (e.key === "ArrowRight") go(tour.step + 1);
  else if (e.key === "ArrowLeft") go(tour.step - 1);
  else return;
  e.preventDefault();
}

function go(step) {
  tourStep(step);
  tour.show("tour");
}

// The full view of this step, on the same example (and, seeing the nudges, the same neuron).
async function openLink() {
  const view = STEPS[tour.step].view, d = tour.data;
  tour.show(view);
  window.scrollTo(0, 0);
  if (d && (view === "see" || view === "nudges")) {
    const n = d.wishes.neuron;
    state.neuron = view === "nudges" && n ? {layer: n.layer, index: n.index} : state.neuron;
    await loadExample(d.digit.index);
    setTarget(d.digit.label, true);
  }
}

// Draw the step; fetch the numbers first if the model has changed since they were fetched.
export async function showTour() {
  if (!tour.ready) return;
  renderFrame();
  if (!state.status || !state.status.data_ready || !state.model) {
    $("tour-text").textContent = state.status && !state.status.data_ready
      ? `Waiting for the data: ${state.status.data}` : "Loading the model and a real example…";
    setTimeout(() => { if (state.view === "tour") showTour(); }, 700);
    return;
  }
  try {
    await load();
    renderStep();
  } catch (e) { $("tour-text").textContent = e.message; }
}

function renderFrame() {
  const s = STEPS[tour.step], n = STEPS.length;
  $("tour-title").textContent = `${tour.step + 1}. ${s.title}`;
  $("tour-count").textContent = `step ${tour.step + 1} of ${n}`;
  $("tour-progress").value = tour.step + 1;
  $("tour-progress").max = n;
  $("tour-back").disabled = tour.step === 0;
  $("tour-next").disabled = tour.step === n - 1;
  [...$("tour-steps").querySelectorAll("button")].forEach((b, i) => {
    if (i === tour.step) b.setAttribute("aria-current", "step");
    else b.removeAttribute("aria-current");
  });
  $("tour-link").textContent = `open the full view: ${VIEW_NAMES[s.view]}` +
    (tour.data && ["see", "nudges"].includes(s.view) ? ` of example #${tour.data.digit.index}` +
      (s.view === "nudges" && tour.data.wishes.neuron ? `, neuron ${tour.data.wishes.neuron.layer}.` +
        `${tour.data.wishes.neuron.index}` : "") + " (on the trained model)" : "");
  $("tour-link").href = "#" + s.view;
}

// The tour's example and everything each step needs about it, on the lesson network (or the
// trained model): fetched again when any of them changes.
async function load() {
  const key = JSON.stringify([state.model.version, lessonState.lesson, tour.example, tour.neuron]);
  if (tour.data && tour.data.key === key) return;
  if (!tour.loading) tour.loading = fetchAll(key).finally(() => { tour.loading = null; });
  tour.data = await tour.loading;
  if (tour.data.key !== key) return load();
}

async function fetchAll(key) {
  const lesson = lessonState.lesson ? {...lessonState.lesson} : null;
  const chosen = await fetchLesson();
  const index = tour.example ?? chosen.example;
  const digit = await api(`example?index=${index}`);
  const image = {width: 28, height: 28, pixels: digit.pixels, centre: false};
  const neuron = tour.neuron;
  const wishes = await api("tour", {image, label: digit.label, lesson, neuron});
  const average = await api("average", {lesson});
  const step = await api("average/step", {rows: average.examples.map((e) => e.index),
                                          eta: tour.config.defaults.step.eta, lesson});
  const why = tour.example === null ? chosen.example_why : "your pick";
  return {key, digit, why, wishes, average, step, lesson: lessonState.view, model: state.model,
          config: tour.config, trained: !lesson};
}

function renderStep() {
  renderLesson(state.model);
  $("tour-example").value = tour.data.digit.index;
  $("tour-example-why").textContent = tour.data.why === "your pick" ? "your pick"
    : `chosen: ${WHY[tour.data.why] || tour.data.why}`;
  renderFrame();
  const view = STEPS[tour.step].render(tour.data);
  const learning = tour.data.trained && state.status.training_quick ? `<p class="summary">The ` +
    `quick model is still learning (${Math.round(100 * state.status.progress)}%): these ` +
    `numbers are a partly trained network's.</p>` : "";
  $("tour-text").innerHTML = view.text + learning;
  $("tour-formula").innerHTML = view.formula;
  $("tour-formula").setAttribute("aria-label", `formula: ${$("tour-formula").textContent}`);
  const figure = $("tour-figure");
  figure.replaceChildren();
  if (typeof view.figure === "string") figure.innerHTML = view.figure;
  else if (view.figure) figure.append(view.figure);
}
