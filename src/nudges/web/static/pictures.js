// Small pictures: a 28x28 grayscale canvas, and a blue/red heatmap of signed values.

import {maxAbs} from "./util.js";

export function grayCanvas(pixels) {
  const c = document.createElement("canvas");
  c.width = c.height = 28;
  const ctx = c.getContext("2d"), image = ctx.createImageData(28, 28);
  pixels.forEach((v, i) => {
    const g = Math.round(255 * v);
    image.data.set([g, g, g, 255], 4 * i);
  });
  ctx.putImageData(image, 0, 0);
  return c;
}

// values drawn on canvas as shape [rows, cols]; a single row is wrapped into a near-square.
// top: the |value| drawn in full colour (the largest |value| if not given).
export function heatmap(canvas, values, shape, top = maxAbs(values)) {
  let [rows, cols] = shape;
  if (rows === 1) {
    cols = Math.ceil(Math.sqrt(values.length));
    rows = Math.ceil(values.length / cols);
  }
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext("2d"), image = ctx.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) image.data.set(heatColour(values[i], top), 4 * i);
  ctx.putImageData(image, 0, 0);
}

function heatColour(value, top) {
  if (value === undefined) return [30, 34, 44, 255];          // padding past the last value
  const v = value / top, t = Math.min(1, Math.sqrt(Math.abs(v)));
  const rgb = v >= 0 ? [74, 163, 255] : [255, 90, 78];
  return [...rgb.map((c) => Math.round(12 + (c - 12) * t)), 255];
}
