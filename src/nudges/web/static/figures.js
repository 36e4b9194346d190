// Small HTML figures the tour, the averaging table and the nudges view share: a digit's
// picture, rows of bars on one stated scale, and the chain-rule factors of one neuron.

import {grayCanvas} from "./pictures.js";
import {NEG, POS, esc, fmt, num} from "./util.js";

// A 28x28 digit as an <img> with its accessible name.
export function digitImg(pixels, alt, cls = "digit-img") {
  return `<img class="${cls}" src="${grayCanvas(pixels).toDataURL()}" alt="${esc(alt)}">`;
}

// Rows of horizontal bars: items [{name, value, mark}] drawn on `scale` (the bar's full
// width), signed bars grow both ways from a centre line. mark: "target", "wrong" or "".
export function bars(items, {scale, signed = true, colour = null, caption = ""}) {
  const rows = items.map(({name, value, mark = ""}) => {
    const rel = Math.min(1, Math.abs(value) / scale), width = (signed ? 50 : 100) * rel;
    const left = signed && value < 0 ? 50 - width : signed ? 50 : 0;
    const fill = colour || (value >= 0 ? POS : NEG);
    return `<div class="hbar ${mark}"><span class="name">${name}</span>` +
      `<span class="track${signed ? " signed" : ""}"><i style="left:${left.toFixed(2)}%;` +
      `width:${width.toFixed(2)}%;background:${fill}"></i></span>` +
      `<span class="value">${signed ? fmt(value) : num(value)}</span></div>`;
  }).join("");
  const note = caption ? `<p class="bars-caption">${caption}</p>` : "";
  return `<div class="hbars" role="img" aria-label="${esc(strip(caption) || "bars")}">` +
    `${note}${rows}</div>`;
}

const strip = (html) => html.replace(/<[^>]+>/g, "");

// The chain rule for the weight w_jk into neuron j (n: /api/tour's or /api/wishes' neuron):
// ∂C/∂w_jk = a_k · σ'(z_j) · ∂C/∂a_j. Each factor is a bar on its own honest scale (a_k and
// σ' as a fraction of their largest possible value, the others on 1), so a closed gate,
// σ'(z) near 0, shows why a neuron that wishes to change barely moves.
export function factorBars(n, prevName = "a") {
  const gate = n.sigma_prime;
  const items = [
    {name: `${prevName}<sub>${n.k}</sub>`, value: n.a_k, scale: 1, what: "the input"},
    {name: "σ′(z)", value: gate, scale: 0.25, what: "the gate (at most 0.25 for σ)"},
    {name: `w<sub>${n.index},${n.k}</sub>`, value: n.w_jk, scale: 1, what: "the weight"},
    {name: "∂C/∂a", value: -n.wish, scale: 1, what: "the wish"},
  ].filter((f) => f.value !== null);
  const rows = items.map((f) => bars([{name: f.name, value: f.value}],
                                     {scale: f.scale}).replace('role="img"', "") +
                               `<span class="factor-what">${f.what}</span>`);
  const closed = gate !== null && gate < 0.01;
  return `<div class="factors" role="img" aria-label="chain-rule factors of neuron ` +
    `${n.index}: ${items.map((f) => `${strip(f.name)} ${num(f.value)}`).join(", ")}">` +
    rows.map((r) => `<div class="factor">${r}</div>`).join("") +
    `<p class="bars-caption">${closed ? `<b>The gate is closed:</b> σ′(z) = ` +
      `${num(gate)}, so even a wish of ${fmt(n.wish, 2)} moves this neuron's weights and ` +
      `bias by almost nothing (bias nudge ${fmt(n.bias_nudge)}).`
      : `Weight nudge −∂C/∂w<sub>${n.index},${n.k}</sub> = ${fmt(n.nudge_jk)}; ` +
        `bias nudge ${fmt(n.bias_nudge)}.`}</p></div>`;
}
