// Small HTML figures the tour, the averaging table and the nudges view share: a digit's
// picture, rows of bars on one stated scale, and the chain-rule factors of one neuron.

import {grayCanvas} from "./pictures.js";
import {NEG, POS, RESOLUTION, esc, fmt, num} from "./util.js";

// A 28x28 digit as an <img> with its accessible name.
export function digitImg(pixels, alt, cls = "digit-img") {
  return `<img class="${cls}" src="${grayCanvas(pixels).toDataURL()}" alt="${esc(alt)}">`;
}

// Rows of horizontal bars: items [{name, value, mark}] on one stated, absolute `scale`.
// THE SCALE RULE of every bar and line on the page: length ∝ √(|value| / scale), so a small
// value stays visible (faint and short, never hidden) and two values still compare by eye;
// under RESOLUTION a value draws nothing and reads "≈ 0"; past the scale a bar fills its
// track and is marked ▸. Signed bars grow both ways from a centre line. mark: "target",
// "wrong" or "".
export function bars(items, {scale, signed = true, colour = null, caption = "", bare = false}) {
  const rows = items.map(({name, value, mark = ""}) => {
    const rel = scaled(value, scale), width = (signed ? 50 : 100) * rel;
    const left = signed && value < 0 ? 50 - width : signed ? 50 : 0;
    const fill = colour || (value >= 0 ? POS : NEG), over = Math.abs(value) > scale ? "▸" : "";
    return `<div class="hbar ${mark}"><span class="name">${name}</span>` +
      `<span class="track${signed ? " signed" : ""}"><i style="left:${left.toFixed(2)}%;` +
      `width:${width.toFixed(2)}%;background:${fill}" data-rel="${rel.toFixed(4)}"></i></span>` +
      `<span class="value">${signed ? fmt(value) : num(value)}${over}</span></div>`;
  }).join("");
  const s = String(+scale.toPrecision(3)), range = signed ? `−${s} to ${s}` : `0 to ${s}`;
  const note = bare ? "" : `<p class="bars-caption">${caption}${caption ? "; " : ""}` +
    `<span class="bars-scale">scale ${range}, bar length ∝ √|value|</span></p>`;
  return `<div class="hbars" role="img" aria-label="${esc(strip(caption) || "bars")}">` +
    `${note}${rows}</div>`;
}

// A value's drawn length as a fraction of the full one, by the scale rule above.
export const scaled = (value, scale) => (Math.abs(value) < RESOLUTION ? 0
  : Math.sqrt(Math.min(1, Math.abs(value) / scale)));

const strip = (html) => html.replace(/<[^>]+>/g, "");

// The chain rule for the weight w_jk into neuron j (n: /api/tour's or /api/wishes' neuron):
// ∂C/∂w_jk = a_k · σ'(z_j) · ∂C/∂a_j. Each factor is a bar on its own honest scale (a_k and
// σ' as a fraction of their largest possible value, the others on 1), so a closed gate,
// σ'(z) near 0, shows why a neuron that wishes to change barely moves.
export function factorBars(n, prevName = "a") {
  const gate = n.sigma_prime, wScale = Math.max(1, Math.ceil(Math.abs(n.w_jk)));
  const items = [
    {name: `${prevName}<sub>${n.k}</sub>`, value: n.a_k, scale: 1, what: "the input (on ±1)"},
    {name: "σ′(z)", value: gate, scale: 0.25, what: "the gate (on ±0.25, σ′'s most)"},
    {name: `w<sub>${n.index},${n.k}</sub>`, value: n.w_jk, scale: wScale,
     what: `the weight (on ±${wScale})`},
    {name: "∂C/∂a", value: -n.wish, scale: 1, what: "the wish (on ±1)"},
  ].filter((f) => f.value !== null);
  const rows = items.map((f) => bars([{name: f.name, value: f.value}],
                                     {scale: f.scale, bare: true}).replace('role="img"', "") +
                               `<span class="factor-what">${f.what}</span>`);
  const closed = gate !== null && gate < 0.01;
  return `<div class="factors" role="img" aria-label="chain-rule factors of neuron ` +
    `${n.index}: ${items.map((f) => `${strip(f.name)} ${num(f.value)}`).join(", ")}">` +
    rows.map((r) => `<div class="factor">${r}</div>`).join("") +
    `<p class="bars-caption">${gateSentence(n, closed)} Each bar on its stated scale, ` +
    `length ∝ √|value|.</p></div>`;
}

// What the gate and the wish together do to this neuron, said from their values.
export function gateSentence(n, closed) {
  const nudges = `weight nudge −∂C/∂w<sub>${n.index},${n.k}</sub> = ${fmt(n.nudge_jk)}, bias ` +
    `nudge ${fmt(n.bias_nudge)}`;
  if (n.sigma_prime === null) return `${nudges[0].toUpperCase()}${nudges.slice(1)}.`;
  if (!closed) return `The gate is open (σ′(z) = ${num(n.sigma_prime)}): ${nudges}.`;
  if (Math.abs(n.wish) >= 0.05) {
    return `<b>The gate is closed:</b> σ′(z) = ${num(n.sigma_prime)}, so even a wish of ` +
      `${fmt(n.wish, 2)} barely moves this neuron (${nudges}).`;
  }
  return `The gate is closed (σ′(z) = ${num(n.sigma_prime)}) and the wish is small too ` +
    `(${fmt(n.wish)}): this example has little to teach this neuron (${nudges}).`;
}
