// Helpers every view shares: the DOM, the colours, number formats, inputs bounded by the server.

export const $ = (id) => document.getElementById(id);
export const POS = "#4aa3ff", NEG = "#ff5a4e", HI = "#ffd166", DIM = "#6b7688";

// Numbers for people, never in e-notation: 0.123 (`digits` decimals), 0.000140 (3 significant
// digits where the decimals would show only zeros), and "≈ 0" under RESOLUTION, the smallest
// value any figure of the page resolves.
export const RESOLUTION = 1e-6;
export const num = (v, digits = 3) => {
  const a = Math.abs(v);
  if (a !== 0 && a < RESOLUTION) return "≈ 0";
  return a !== 0 && a < 0.5 * 10 ** -digits ? Number(v.toPrecision(3)).toFixed(
    Math.min(20, 2 - Math.floor(Math.log10(a)))) : v.toFixed(digits);
};
export const fmt = (v, digits = 3) => (Math.abs(v) !== 0 && Math.abs(v) < RESOLUTION ? "≈ 0"
  : (v >= 0 ? "+" : "−") + num(Math.abs(v), digits));
export const sig = (v) => num(Number(v), Math.abs(v) >= 1 ? 2 : 3);
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
