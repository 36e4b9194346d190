// Helpers every view shares: the DOM, the colours, number formats, inputs bounded by the server.

export const $ = (id) => document.getElementById(id);
export const POS = "#4aa3ff", NEG = "#ff5a4e", HI = "#ffd166", DIM = "#6b7688";

// 0.123, or 4.1e-5 when fixed digits would show only zeros
export const num = (v, digits = 3) => (v !== 0 && Math.abs(v) < 0.5 * 10 ** -digits
  ? v.toExponential(1) : v.toFixed(digits));
export const fmt = (v, digits = 3) => (v >= 0 ? "+" : "−") + num(Math.abs(v), digits);
export const sig = (v) => Number(v).toPrecision(3);
export const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
export const sign = (v) => (v >= 0 ? POS : NEG);
export const maxAbs = (values) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;

// A number input bounded as the server checks it ({ge, gt, le, lt}), holding `value`.
export function bound(input, bounds, value) {
  input.min = bounds.ge ?? bounds.gt;
  input.max = bounds.le ?? bounds.lt;
  input.value = value;
}

// A <select>'s options: [value, text] pairs.
export function fillOptions(select, options) {
  select.replaceChildren(...options.map(([value, text]) => new Option(text, value)));
}
