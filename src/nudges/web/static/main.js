// nudges: the page only draws; every number, limit and default comes from the server's /api.
// This module starts the page: it reads /api/config, sets up each view, and switches tabs.

import {api} from "./api.js";
import {loadAverage, setupAverage} from "./average.js";
import {poll, setupLearn} from "./learn.js";
import {setupNoise} from "./noise.js";
import {changed, setTarget, setupNudges} from "./nudges.js";
import {setupPad, shownExample} from "./pad.js";
import {playgroundHash, setupPlayground, showPlayground} from "./playground.js";
import {schedule, showError} from "./see.js";
import {setupRows} from "./rows.js";
import {PICTURE_VIEWS, state} from "./state.js";
import {pollStatus} from "./status.js";
import {setupTour, showTour, tourStep} from "./tour.js";
import {$} from "./util.js";

const VIEWS = ["tour", "see", "nudges", "average", "learn", "noise", "playground"];
const tabs = () => [...document.querySelectorAll("nav [data-view]")];

// Show a view; the address says which (#nudges), and for the tour which step (#tour/4).
export function show(view) {
  if (state.kind === "table" && PICTURE_VIEWS.includes(view)) view = "see";
  state.view = view;
  document.body.dataset.view = view;
  for (const tab of tabs()) {
    const chosen = tab.dataset.view === view;
    tab.setAttribute("aria-selected", String(chosen));
    tab.tabIndex = chosen ? 0 : -1;
  }
  const hash = view === "tour" ? `#tour/${tourStep() + 1}`
    : view === "playground" ? playgroundHash() : "#" + view;
  if (history.replaceState && location.hash !== hash) history.replaceState(null, "", hash);
  const example = shownExample();
  if (view === "nudges" && state.target === null && example) setTarget(example.label, false);
  if (view === "see" || view === "nudges") schedule();
  if (view === "nudges") scrollToOutputs();
  if (view === "learn") poll();
  if (view === "average") loadAverage(false);
  if (view === "tour") showTour();
  if (view === "playground") showPlayground();
}

// On a narrow screen the diagram scrolls sideways: seeing the nudges starts at the outputs,
// where the wishes begin.
function scrollToOutputs() {
  const card = document.querySelector(".diagram-card");
  card.scrollLeft = card.scrollWidth;
}

// The tablist: a click or Enter chooses a tab; ← → Home End move between tabs and choose.
function setupTabs() {
  const all = tabs();
  for (const tab of all) tab.addEventListener("click", () => show(tab.dataset.view));
  $("views").addEventListener("keydown", (e) => {
    const shown = all.filter((tab) => tab.offsetParent !== null);   // a table hides some
    const at = shown.indexOf(document.activeElement), n = shown.length;
    const to = {ArrowRight: at + 1, ArrowLeft: at - 1 + n, Home: 0, End: n - 1}[e.key];
    if (at < 0 || to === undefined) return;
    e.preventDefault();
    shown[to % n].focus();
    show(shown[to % n].dataset.view);
  });
}

// #tour/4, #nudges, …: the view and the tour's step an address asks for.
function route() {
  const [view, step] = location.hash.slice(1).split("/");
  if (view === "tour" && step) tourStep(Number(step) - 1);
  show(VIEWS.includes(view) ? view : "tour");
}

// Numbers in the page's text that the server decides: <span data-config="sizes.step_rows">.
function fillText(config) {
  for (const el of document.querySelectorAll("[data-config]")) {
    const value = el.dataset.config.split(".").reduce((o, key) => o[key], config);
    el.textContent = value.toLocaleString();
  }
}

async function loadConfig() {
  for (;;) {
    try { return await api("config"); } catch (e) {
      $("banner").textContent = "cannot reach the server: " + e.message;
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
}

async function start() {
  setupTabs();
  const config = await loadConfig();          // first: a table's page shows no picture views
  state.classes = config.classes;
  state.kind = config.kind;
  state.features = config.features;
  document.body.classList.toggle("table", config.kind === "table");
  if (config.kind === "table") setupRows(config.features, schedule);
  fillText(config);
  setupPad({changed, error: showError, example: (digit) => {
    if (state.view === "nudges") setTarget(digit.label, false);
  }});
  setupNudges(config);
  setupLearn(config);
  setupNoise(config);
  setupAverage(config);
  setupTour(config, show);
  await setupPlayground();
  route();
  window.addEventListener("hashchange", route);
  pollStatus();
}

start();
