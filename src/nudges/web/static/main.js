// nudges: the page only draws; every number, limit and default comes from the server's /api.
// This module starts the page: it reads /api/config, sets up each view, and switches tabs.

import {api} from "./api.js";
import {loadAverage, setupAverage} from "./average.js";
import {setupBackward} from "./backward.js";
import {setupExports} from "./export.js";
import {poll, setupLearn} from "./learn.js";
import {setupNoise} from "./noise.js";
import {changed, setTarget, setupNudges} from "./nudges.js";
import {setupPad, shownExample} from "./pad.js";
import {playgroundHash, setupPlayground, showPlayground} from "./playground.js";
import {schedule, showError} from "./see.js";
import {setupRows} from "./rows.js";
import {loadSurface, setSurfaceQuery, setupSurface, surfaceQuery} from "./surface.js";
import {PICTURE_VIEWS, state} from "./state.js";
import {pollStatus} from "./status.js";
import {setTourQuery, setupTour, showTour, tourQuery, tourStep} from "./tour.js";
import {$} from "./util.js";

const VIEWS = ["tour", "see", "nudges", "average", "learn", "noise", "surface", "playground"];
// Views whose state lives in the address too: the address they show, and how they take it.
const ADDRESSES = {
  tour: {hash: () => `#tour/${tourStep() + 1}?${tourQuery()}`,
         take: (step, query) => { if (step) tourStep(Number(step) - 1); setTourQuery(query); }},
  surface: {hash: () => (surfaceQuery() ? `#surface?${surfaceQuery()}` : "#surface"),
            take: (_, query) => setSurfaceQuery(query)},
  playground: {hash: playgroundHash, take: () => {}},    // it reads location.hash itself
};
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
  const hash = ADDRESSES[view] ? ADDRESSES[view].hash() : "#" + view;
  if (history.replaceState && location.hash !== hash) history.replaceState(null, "", hash);
  const example = shownExample();
  if (view === "nudges" && state.target === null && example) setTarget(example.label, false);
  if (view === "see" || view === "nudges") schedule();
  if (view === "nudges") scrollToOutputs();
  if (view === "learn") poll();
  if (view === "average") loadAverage(false);
  if (view === "tour") showTour();
  if (view === "surface") loadSurface(false);
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

// #tour/4?seed=0&steps=10, #surface?eta=3, #nudges, …: the view an address asks for, and the
// state of a view that keeps it there (ADDRESSES).
function route() {
  const [path, query = ""] = location.hash.slice(1).split("?");
  const [view, step] = path.split("/");
  if (ADDRESSES[view]) ADDRESSES[view].take(step, query);
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

// Presenter mode: large type for a projector; ?present in the address starts in it.
function setupPresenter() {
  const toggle = (on) => {
    document.body.classList.toggle("presenter", on);
    $("presenter").setAttribute("aria-pressed", String(on));
  };
  $("presenter").addEventListener("click", () => toggle(!document.body.classList
    .contains("presenter")));
  toggle(new URLSearchParams(location.search).has("present"));
}

async function start() {
  setupTabs();
  setupPresenter();
  setupExports();
  const config = await loadConfig();          // first: a table's page shows no picture views
  state.classes = config.classes;
  state.kind = config.kind;
  state.features = config.features;
  state.noun = config.noun;
  state.articles = config.articles;
  document.body.classList.toggle("table", config.kind === "table");
  if (config.kind === "table") setupRows(config.features, schedule);
  fillText(config);
  for (const el of document.querySelectorAll("[data-noun]")) el.textContent = config.noun;
  setupPad({changed, error: showError, example: (digit) => {
    if (state.view === "nudges") setTarget(digit.label, false);
  }});
  setupNudges(config);
  setupBackward();
  setupLearn(config);
  setupNoise(config);
  setupAverage(config);
  setupSurface();
  setupTour(config, show);
  await setupPlayground();
  route();
  window.addEventListener("hashchange", route);
  pollStatus();
}

start();
