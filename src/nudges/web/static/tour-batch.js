// The tour's steps 6 to 9: many examples, their average, a step, mini-batches and SGD.
// d.average is /api/average for the default mini-batch, d.step its /api/average/step.

import {tableHTML} from "./average-table.js";
import {bars} from "./figures.js";
import {fmt, num, sig} from "./util.js";

const sub = (s) => `<sub>${s}</sub>`;
const name = (r) => (r.k === null ? `b${sub(`${r.j}`)}` : `w${sub(`${r.j},${r.k}`)}`);

const six = {
  title: "Other examples wish for different things", view: "average",
  render(d) {
    const a = d.average, n = a.examples.length;
    return {
      text: `One example's wishes would make the network good at that one digit. Here are ` +
        `${n} training digits, each a column; each row is a weight or bias, each cell what ` +
        `that example wishes for it (its nudge), all on one colour scale. They often disagree.`,
      formula: `nudge${sub("x")}(${name(a.rows[0])}) = −∂C${sub("x")}/∂${name(a.rows[0])}` +
        ` = ${a.rows[0].nudges.slice(0, 4).map((v) => fmt(v)).join(", ")}, … ` +
        `for examples 1, 2, 3, 4, …`,
      figure: tableHTML(a, {rows: 4, average: false}),
    };
  },
};

const seven = {
  title: "Their average is the negative gradient: one step", view: "average",
  render(d) {
    const a = d.average, s = d.step, r = a.rows[0], n = a.examples.length;
    return {
      text: `Averaging every example's nudge gives the direction that lowers the cost of all ` +
        `of them: the negative gradient −∇C. One step of gradient descent moves every weight ` +
        `and bias by η times that average. Here η = ${s.eta}: the cost of these ${n} ` +
        `examples went ${sig(s.cost_before)} → <b>${sig(s.cost_after)}</b>, and of ` +
        `${s.held_out} held-out test digits ${sig(s.held_out_before)} → ` +
        `<b>${sig(s.held_out_after)}</b>.`,
      formula: `−∂C/∂${name(r)} = (1/${n}) Σ${sub("x")} nudge${sub("x")} = <b>${fmt(r.average)}</b>` +
        `; &nbsp; w ← w − η ∂C/∂w`,
      figure: tableHTML(a, {rows: 4, average: true}),
    };
  },
};

const eight = {
  title: "Mini-batches: a cheaper, noisier average", view: "noise",
  render(d) {
    const a = d.average, n = a.examples.length;
    return {
      text: `The true gradient averages over all ${a.n_full.toLocaleString()} training ` +
        `digits: one step would cost a pass over all of them. A mini-batch of ${n} is ` +
        `“not the actual gradient, but a good approximation, and a big speed-up”. The ` +
        `cosine says how well it points: 1 is the same direction, 0 no better than random.`,
      formula: `cos(g${sub("B")}, g) = g${sub("B")}·g / (‖g${sub("B")}‖ ‖g‖) = ` +
        `<b>${a.cosine.toFixed(3)}</b>; &nbsp; ‖g${sub("B")}‖ = ${num(a.norm)}, ` +
        `‖g‖ = ${num(a.full_norm)}`,
      figure: bars(a.rows.map((r) => ({name: name(r), value: r.average})), {
        scale: Math.max(...a.rows.flatMap((r) => [r.average, r.full].map(Math.abs)), 1e-9),
        caption: "the mini-batch's average nudge per row…",
      }) + bars(a.rows.map((r) => ({name: name(r), value: r.full})), {
        scale: Math.max(...a.rows.flatMap((r) => [r.average, r.full].map(Math.abs)), 1e-9),
        caption: `…and the average over all ${a.n_full.toLocaleString()} training digits`,
      }),
    };
  },
};

const nine = {
  title: "Stochastic gradient descent walks down the cost", view: "learn",
  render(d) {
    const a = d.average, n = a.examples.length, steps = Math.ceil(a.n_full / n);
    return {
      text: `Shuffle the training data, cut it into mini-batches of ${n}, and take one step ` +
        `per mini-batch: ${steps.toLocaleString()} steps make one epoch. Each step is a ` +
        `little drunk, but together they walk down the cost. Open <b>Watch it learn</b> to ` +
        `see a fresh network do it, slowly enough to follow the first epoch.`,
      formula: `for each mini-batch B: w ← w − (η/|B|) Σ${sub("x∈B")} ∂C${sub("x")}/∂w` +
        ` = w − (${d.step.eta}/${n}) Σ${sub("x∈B")} ∂C${sub("x")}/∂w; one step: C ` +
        `${sig(d.step.cost_before)} → <b>${sig(d.step.cost_after)}</b>`,
      figure: `<p class="summary">The step in step 7 took the mini-batch's cost from ` +
        `${sig(d.step.cost_before)} to <b>${sig(d.step.cost_after)}</b>; the held-out ` +
        `digits' from ${sig(d.step.held_out_before)} to <b>${sig(d.step.held_out_after)}</b>.` +
        `</p>`,
    };
  },
};

export const BATCH_STEPS = [six, seven, eight, nine];
