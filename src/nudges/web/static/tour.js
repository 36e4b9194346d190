// The guided tour: the video's argument in nine steps, each a short text, the formula with the
// loaded model's numbers put in, and a live picture of one real test digit going through it.
// Next/Back, the step list, ← → keys and addresses like #tour/4 move through it.

import {api} from "./api.js";
import {state} from "./state.js";
import {STEPS} from "./tour-steps.js";
import {$} from "./util.js";

const tour = {step: 0, data: null, loading: null, ready: false, show: () => {}, config: null};
const VIEW_NAMES = {see: "See every layer", nudges: "See the nudges", average: "Average them",
                    learn: "Watch it learn", noise: "Gradient noise"};

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

function openLink() {
  const view = STEPS[tour.step].view;
  tour.show(view);
  window.scrollTo(0, 0);
}

// Draw the step; fetch the numbers first if the model has changed since they were fetched.
export async function showTour() {
  if (!tour.ready) return;
  renderFrame();
  if (!state.status || !state.status.data_ready || !state.model) {
    $("tour-text").textContent = state.status && !state.status.data_ready
      ? `Waiting for digits: ${state.status.data}` : "Loading the model and a real digit…";
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
  $("tour-link").textContent = `open the full view: ${VIEW_NAMES[s.view]}`;
  $("tour-link").href = "#" + s.view;
}

// The tour's digit (test digit 0, a real one) and everything each step needs about it.
async function load() {
  const version = state.model.version;
  if (tour.data && tour.data.version === version) return;
  if (!tour.loading) tour.loading = fetchAll(version).finally(() => { tour.loading = null; });
  tour.data = await tour.loading;
}

async function fetchAll(version) {
  const digit = await api("example?index=0");
  const image = {width: 28, height: 28, pixels: digit.pixels, centre: false};
  const wishes = await api("tour", {image, label: digit.label});
  const average = await api("average", {});
  const step = await api("average/step", {rows: average.examples.map((e) => e.index),
                                          eta: tour.config.defaults.step.eta});
  return {version, digit, wishes, average, step, model: state.model, config: tour.config};
}

function renderStep() {
  const view = STEPS[tour.step].render(tour.data);
  const learning = state.status.training_quick ? `<p class="summary">The quick model is still ` +
    `learning (${Math.round(100 * state.status.progress)}%): these numbers are a partly ` +
    `trained network's.</p>` : "";
  $("tour-text").innerHTML = view.text + learning;
  $("tour-formula").innerHTML = view.formula;
  $("tour-formula").setAttribute("aria-label", `formula: ${$("tour-formula").textContent}`);
  const figure = $("tour-figure");
  figure.replaceChildren();
  if (typeof view.figure === "string") figure.innerHTML = view.figure;
  else if (view.figure) figure.append(view.figure);
}
