// The one way the page draws a chart: a frame with scales, then axes and marks as SVG strings.
// The step bars, the learning curves and the gradient noise are all built from these parts:
//
//   const f = frame(600, 230, {l: 52, r: 14, t: 12, b: 38}, {lo: 0, hi: 10}, {lo: 0, hi: 1});
//   paint(svg, [yAxis(f), xAxis(f, niceTicks(0, 10)), xTitle(f, "epochs"), line(f, points)]);

// About `count` round numbers from lo to hi: steps of 1, 2 or 5 times a power of ten.
export function niceTicks(lo, hi, count = 5) {
  const span = hi - lo || 1, raw = span / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || 10 * mag;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) {
    ticks.push(+t.toPrecision(10));
  }
  return ticks;
}

// 0.25, 40, 2.5k, 1M
export function tickLabel(v) {
  if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(v % 1e6 ? 1 : 0) + "M";
  if (Math.abs(v) >= 1e3) return (v / 1e3).toFixed(v % 1e3 ? 1 : 0) + "k";
  return String(+v.toPrecision(4));
}

function scale({lo, hi, log = false}, from, to) {
  const f = log ? Math.log10 : (v) => v, start = f(lo), span = f(hi) - start || 1;
  return (v) => from + (to - from) * (f(v) - start) / span;
}

// A chart width x height with margins {l, r, t, b} around the plot; x and y map data
// {lo, hi} onto the plot (log: a log scale; inset: pixels kept free at both ends of x).
export function frame(width, height, margin, x, y) {
  const inset = x.inset || 0;
  return {width, height, margin, x, y,
          X: scale(x, margin.l + inset, width - margin.r - inset),
          Y: scale(y, height - margin.b, margin.t)};
}

// Grid lines across the plot at each tick of y, labelled on the left.
export function yAxis(f, ticks = niceTicks(f.y.lo, f.y.hi)) {
  const {l, r} = f.margin;
  return ticks.map((t) => `<line x1="${l}" x2="${f.width - r}" y1="${f.Y(t)}" y2="${f.Y(t)}" ` +
    `class="grid"/><text x="${l - 6}" y="${f.Y(t) + 4}" class="tick" text-anchor="end">` +
    `${tickLabel(t)}</text>`).join("");
}

// Labels under the plot. at: where tick t sits on x; label: its text; cls: an extra class;
// below: pixels from the bottom of the plot down to the labels' baseline.
export function xAxis(f, ticks, {at = (t) => t, label = tickLabel, cls = () => "",
                                 below = 16} = {}) {
  const y = f.height - f.margin.b + below;
  return ticks.map((t) => `<text x="${f.X(at(t))}" y="${y}" class="${["tick", cls(t)].join(" ").trim()}" ` +
    `text-anchor="middle">${label(t)}</text>`).join("");
}

// The x axis's title, centred under its labels.
export const xTitle = (f, title) => text((f.width + f.margin.l) / 2, f.height - 4, title,
                                         {anchor: "middle"});

// A title in the chart's top left corner.
export const caption = (f, title) => text(10, 12, title);

export function text(x, y, content, {anchor = "start", fill = null} = {}) {
  return `<text x="${x}" y="${y}" class="axis" text-anchor="${anchor}"` +
    `${fill ? ` fill="${fill}"` : ""}>${content}</text>`;
}

// A horizontal axis line across the plot at y = v.
export const rule = (f, v) => `<line x1="${f.margin.l - 4}" x2="${f.width - f.margin.r}" ` +
  `y1="${f.Y(v)}" y2="${f.Y(v)}" class="axis-line"/>`;

// A curve through points [[x, y], ...].
export function line(f, points, colour, width = 2.2) {
  const path = points.map(([x, y]) => `${f.X(x).toFixed(1)},${f.Y(y).toFixed(1)}`).join(" ");
  return `<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="${width}" ` +
    `stroke-linejoin="round"/>`;
}

export const dots = (f, points, colour, r = 4) => points.map(([x, y]) =>
  `<circle cx="${f.X(x)}" cy="${f.Y(y)}" r="${r}" fill="${colour}"/>`).join("");

// A bar from x0 to x1, from y0 to y1 (data coordinates, either way round).
export function bar(f, [x0, x1], [y0, y1], fill) {
  const top = Math.min(f.Y(y0), f.Y(y1)), height = Math.abs(f.Y(y1) - f.Y(y0));
  return `<rect x="${f.X(x0)}" y="${top}" width="${f.X(x1) - f.X(x0)}" height="${height}" ` +
    `fill="${fill}"/>`;
}

// A vertical error bar at x from y0 to y1.
export const errorBar = (f, x, [y0, y1], colour) => `<line x1="${f.X(x)}" x2="${f.X(x)}" ` +
  `y1="${f.Y(y0)}" y2="${f.Y(y1)}" stroke="${colour}" stroke-width="2" stroke-opacity="0.7"/>`;

export function paint(svg, parts) { svg.innerHTML = parts.join(""); }
