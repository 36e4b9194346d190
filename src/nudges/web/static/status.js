// The server's status: which model is shown, where the digits came from, and the banner.

import {api} from "./api.js";
import {isBlank, loadExample} from "./pad.js";
import {schedule} from "./see.js";
import {state} from "./state.js";
import {$, esc} from "./util.js";

// Ask again and again: often while the quick model trains, every few seconds after.
export async function pollStatus() {
  try {
    const status = await api("status");
    const old = state.status;
    state.status = status;
    renderBanner();
    if (!old || old.version !== status.version) await loadModel();
    const first = status.data_ready && (!old || !old.data_ready);
    if (first && status.kind !== "table" && isBlank()) await loadExample(0);  // a picture
  } catch (e) { $("banner").textContent = "cannot reach the server: " + e.message; }
  setTimeout(pollStatus, state.status && state.status.training_quick ? 700 : 3000);
}

export async function loadModel() {
  const model = await api("model");
  const resized = !state.model || state.model.sizes.join() !== model.sizes.join();
  state.model = model;
  if (resized) state.neuron = null;
  schedule();
}

export function renderBanner() {
  const s = state.status;
  const progress = s.training_quick ? ` ${Math.round(100 * s.progress)}%` : "";
  const data = s.data.split(":")[0];
  const banner = $("banner");
  // The server keeps the "Use it" models of its most recently active pages only: say so
  // when this page's was forgotten, rather than silently showing the server's model.
  const forgotten = s.forgotten ? " <span class=\"sep\">·</span> the network this page " +
    "trained was forgotten (many other pages used theirs since); it shows the server's" : "";
  banner.innerHTML = `<b>${esc(s.sizes.join("-"))}</b> ${esc(s.model)}${progress}` +
    ` <span class="sep">·</span> data: ${esc(data)}${forgotten}`;
  banner.title = s.data;
  banner.classList.toggle("busy", s.training_quick);
  $("unuse").hidden = !s.own;              // this tab shows its own trained network
  renderHint(s.data_hint);
  renderWaiting(s);
}

// How to get full MNIST, in plain sight: its first sentence, and the rest open on a wide
// screen (a phone keeps it one tap away, so the controls stay above the fold).
function renderHint(text) {
  const hint = $("data-hint");
  if (hint.dataset.text === text) return;
  hint.dataset.text = text;
  const [first, ...rest] = esc(text).replace(/`([^`]+)`/g, "<code>$1</code>").split(/(?<=\.) /);
  hint.innerHTML = `<summary>${first}</summary>${rest.join(" ")}`;
  hint.hidden = !text;
  hint.open = window.matchMedia("(min-width: 601px)").matches;
}

// Buttons that need digits wait for them, and say why (the reason is on the page too).
const NEED_DIGITS = ["random", "mistake", "start", "measure", "average-batch"];
function renderWaiting(s) {
  const why = s.data_ready ? null : `waiting for the data: ${s.data}`;
  for (const id of NEED_DIGITS) {
    const button = $(id);
    if (why) {
      if (!("waiting" in button.dataset)) button.dataset.title = button.title;
      Object.assign(button, {disabled: true, title: why});
      button.dataset.waiting = why;
    } else if ("waiting" in button.dataset) {
      Object.assign(button, {disabled: false, title: button.dataset.title});
      delete button.dataset.waiting;
    }
  }
}
