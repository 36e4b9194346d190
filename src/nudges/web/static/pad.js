// The drawing pad: strokes drawn with a mouse, a pen or a finger, or a test digit loaded.

import {api} from "./api.js";
import {grayCanvas} from "./pictures.js";
import {className, state} from "./state.js";
import {$} from "./util.js";

const pad = {canvas: null, ctx: null, strokes: [], example: null, drawing: false};
const hooks = {changed: () => {}, example: () => {}, error: () => {}};

// on: {changed(), example(digit), error(e)}, called when the picture changes, when a test
// digit arrives, and when one cannot be loaded.
export function setupPad(on) {
  Object.assign(hooks, on);
  pad.canvas = $("pad");
  pad.ctx = pad.canvas.getContext("2d");
  listen(pad.canvas);
  const edit = (change) => () => { change(); drawPad(); hooks.changed(); };
  $("clear").addEventListener("click", edit(() => { pad.strokes = []; pad.example = null; }));
  $("undo").addEventListener("click", edit(() => pad.strokes.pop()));
  $("random").addEventListener("click", () => loadExample());
  $("mistake").addEventListener("click", () => loadExample(null, true));
  drawPad();
}

function listen(c) {
  c.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    c.setPointerCapture(e.pointerId);
    pad.example = null;                              // drawing starts a fresh digit
    pad.strokes.push([padPoint(e)]);
    pad.drawing = true;
    drawPad();
    hooks.changed();
  });
  c.addEventListener("pointermove", (e) => {
    if (!pad.drawing) return;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    for (const ev of events.length ? events : [e]) pad.strokes.at(-1).push(padPoint(ev));
    drawPad();
    hooks.changed();
  });
  const end = () => { if (pad.drawing) { pad.drawing = false; hooks.changed(); } };
  c.addEventListener("pointerup", end);
  c.addEventListener("pointercancel", end);
}

function padPoint(e) {
  const r = pad.canvas.getBoundingClientRect();
  return [(e.clientX - r.left) * pad.canvas.width / r.width,
          (e.clientY - r.top) * pad.canvas.height / r.height];
}

function drawPad() {
  paintPad(pad.canvas, pad.strokes, pad.example && pad.example.pixels);
  $("pad-hint").textContent = pad.example
    ? `Test example #${pad.example.index}, labelled ${className(pad.example.label)}. Draw to start your own.`
    : "Draw with the mouse, a pen or a finger.";
}

// Any pad (the notebook widgets' too): black, a digit's 784 pixels if given, white strokes.
export function paintPad(canvas, strokes, pixels) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (pixels) {
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(grayCanvas(pixels), 0, 0, canvas.width, canvas.height);
  }
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 22;
  ctx.lineCap = ctx.lineJoin = "round";
  for (const stroke of strokes) {
    ctx.beginPath();
    ctx.moveTo(...stroke[0]);
    for (const p of stroke.slice(1)) ctx.lineTo(...p);
    if (stroke.length === 1) ctx.lineTo(stroke[0][0] + 0.1, stroke[0][1]);
    ctx.stroke();
  }
}

// Nothing drawn and no test digit loaded.
export const isBlank = () => !pad.strokes.length && !pad.example;

// The test digit on the pad, if the pad shows one and nothing drawn over it.
export const shownExample = () => (pad.strokes.length ? null : pad.example);

// The picture to send: a test digit as it is, or the drawing at 56x56 to be centred; or null.
export function padImage() {
  if (shownExample()) {
    return {width: 28, height: 28, pixels: pad.example.pixels, centre: false};
  }
  return pad.strokes.length ? drawnImage(pad.canvas) : null;
}

// A pad's drawing at 56x56, for the library to centre the MNIST way; null if (nearly) blank.
export function drawnImage(canvas) {
  const side = 56, small = document.createElement("canvas");
  small.width = small.height = side;
  const c = small.getContext("2d");
  c.imageSmoothingEnabled = true;
  c.imageSmoothingQuality = "high";
  c.drawImage(canvas, 0, 0, side, side);
  const rgba = c.getImageData(0, 0, side, side).data;
  const pixels = new Array(side * side);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(rgba[4 * i] / 0.255) / 1000;
  return Math.max(...pixels) < 0.05 ? null : {width: side, height: side, pixels, centre: true};
}

// Test digit `index` (a random one if null), or a random one the network gets wrong.
export async function loadExample(index, mistake = false) {
  const n = state.status ? state.status.n_test : 0;
  if (!n) return;
  const i = index ?? Math.floor(Math.random() * n);
  try {
    pad.example = await api(mistake ? `mistake?seed=${Math.floor(Math.random() * 1e9)}`
                                    : `example?index=${i}`);
    hooks.example(pad.example);
    pad.strokes = [];
    drawPad();
    hooks.changed();
  } catch (e) { hooks.error(e); }
}
