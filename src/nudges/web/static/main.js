// nudges: the page only draws; every number, limit and default comes from the server's /api.
// This module starts the page: it reads /api/config, sets up each view, and switches tabs.

import {api} from "./api.js";
import {poll, setupLearn} from "./learn.js";
import {setupNoise} from "./noise.js";
import {changed, setTarget, setupNudges} from "./nudges.js";
import {setupPad, shownExample} from "./pad.js";
import {schedule, showError} from "./see.js";
import {state} from "./state.js";
import {pollStatus} from "./status.js";
import {$} from "./util.js";

const VIEWS = ["see", "nudges", "learn", "noise"];

function show(view) {
  state.view = view;
  document.body.dataset.view = view;
  for (const tab of document.querySelectorAll("nav [data-view]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.view === view));
  }
  if (history.replaceState) history.replaceState(null, "", "#" + view);
  const example = shownExample();
  if (view === "nudges" && state.target === null && example) setTarget(example.label, false);
  if (view === "see" || view === "nudges") schedule();
  if (view === "learn") poll();
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
  for (const tab of document.querySelectorAll("nav [data-view]")) {
    tab.addEventListener("click", () => show(tab.dataset.view));
  }
  const view = location.hash.slice(1);
  show(VIEWS.includes(view) ? view : "see");
  const config = await loadConfig();
  fillText(config);
  setupPad({changed, error: showError, example: (digit) => {
    if (state.view === "nudges") setTarget(digit.label, false);
  }});
  setupNudges(config);
  setupLearn(config);
  setupNoise(config);
  pollStatus();
}

start();
