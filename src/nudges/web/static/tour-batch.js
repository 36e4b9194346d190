// The tour's steps 6 to 9: many examples, their average, a step, mini-batches and SGD.
// d.average is /api/average for the default mini-batch, d.step its /api/average/step, d.lesson
// the lesson network's place and cost curve (null on the trained model). Every sentence about
// these numbers is computed from them.

import {tableHTML} from "./average-table.js";
import {NUDGE_REF} from "./diagram.js";
import {bars} from "./figures.js";
import {noun} from "./state.js";
import {fmt, num, sig} from "./util.js";

const sub = (s) => `<sub>${s}</sub>`;
const name = (r) => (r.k === null ? `b${sub(`${r.j}`)}` : `w${sub(`${r.j},${r.k}`)}`);

// "the lesson network (120 steps in)" or "the trained model", to name what the numbers are of.
export function network(d, capital = false) {
  const l = d.lesson, text = !l ? "the trained model" : l.steps === 0
    ? "the untrained lesson network" : `the lesson network (${l.steps.toLocaleString()} ` +
      `step${l.steps === 1 ? "" : "s"} in)`;
  return capital ? text[0].toUpperCase() + text.slice(1) : text;
}

const went = (before, after) => `${after < before ? "fell" : after > before ? "rose" : "stayed"}` +
  ` ${sig(before)} → <b>${sig(after)}</b>`;

// How much the examples of the table disagree, row by row: "in 3 of the 4 rows shown, some
// examples wish the parameter up and others down".
export function disagreement(rows) {
  const split = rows.filter((r) => r.nudges.some((v) => v > 1e-6) && r.nudges.some((v) => v < -1e-6));
  if (!split.length) {
    return `In every row shown, the examples that wish at all wish the same way.`;
  }
  return `In <b>${split.length} of the ${rows.length}</b> rows shown, some examples wish the ` +
    `parameter up and others down.`;
}

// The claim about a mini-batch's average against the full gradient, from their cosine:
// [kind, sentence]; kind is what the browser test checks against the cosine shown.
export function cosineClaim(cos, n, total) {
  const c = `cos = ${cos.toFixed(3)}`;
  if (cos >= 0.5) {
    return ["good", `Here it is a good approximation (${c}): this batch of ${n} points roughly ` +
      `where all ${total} point.`];
  }
  if (cos >= 0.2) {
    return ["rough", `Here it is only a rough one (${c}): it shares part of the full ` +
      `gradient's direction, with much noise on top.`];
  }
  if (cos >= 0) {
    return ["noise", `Here it is barely better than a random direction (${c}). This is what ` +
      `happens near a minimum: the examples disagree, the batch's average is mostly noise, and ` +
      `a single step can even raise the held-out cost. The walk still goes downhill on average.`];
  }
  return ["against", `Here it points <b>against</b> the full gradient (${c}): to first order, ` +
    `a step along it raises the cost of all ${total} examples. Near a minimum single batches ` +
    `do this; the walk still goes downhill on average.`];
}

const otherExamples = {
  title: "Other examples wish for different things", view: "average",
  render(d) {
    const a = d.average, n = a.examples.length, shown = a.rows.slice(0, 4);
    return {
      text: `One example's wishes would make the network good at that one ${noun()}. Here ` +
        `are ${n} training ${noun()}s, each a column; each row is a weight or bias of a ` +
        `different neuron, each cell what that example wishes for it (its nudge), all on one ` +
        `absolute colour scale. ${disagreement(shown)}`,
      formula: `nudge${sub("x")}(${name(a.rows[0])}) = −∂C${sub("x")}/∂${name(a.rows[0])}` +
        ` = ${a.rows[0].nudges.slice(0, 4).map((v) => fmt(v)).join(", ")}, … ` +
        `for examples 1, 2, 3, 4, …`,
      figure: tableHTML(a, {rows: 4, average: false}),
    };
  },
};

const averageStep = {
  title: "Their average is the negative gradient: one step", view: "average",
  render(d) {
    const a = d.average, s = d.step, r = a.rows[0], n = a.examples.length;
    return {
      text: `Averaging every example's nudge gives the direction that, to first order, lowers ` +
        `the cost of all of them: the negative gradient −∇C of this batch. One step of ` +
        `gradient descent moves every weight and bias by η times that average. Here η = ` +
        `${s.eta}: the cost of these ${n} examples ${went(s.cost_before, s.cost_after)}, and ` +
        `of ${s.held_out} held-out test ${noun()}s it ${went(s.held_out_before,
          s.held_out_after)}.`,
      formula: `−∂C/∂${name(r)} = (1/${n}) Σ${sub("x")} nudge${sub("x")} = <b>${fmt(r.average)}</b>` +
        `; &nbsp; w ← w − η ∂C/∂w`,
      figure: tableHTML(a, {rows: 4, average: true}),
    };
  },
};

const miniBatches = {
  title: "Mini-batches: a cheaper, noisier average", view: "noise",
  render(d) {
    const a = d.average, n = a.examples.length, total = a.n_full.toLocaleString();
    const [kind, claim] = cosineClaim(a.cosine, n, total);
    const scale = NUDGE_REF;                          // the nudges' absolute scale
    return {
      text: `The true gradient averages over all ${total} training ${noun()}s: one step would ` +
        `cost a pass over all of them. The video calls a mini-batch of ${n} “not the actual ` +
        `gradient, but a good approximation, and a big speed-up”. The cosine says how well it ` +
        `points: 1 is the same direction, 0 no better than random. <span class="claim" ` +
        `data-claim="${kind}" data-cosine="${a.cosine}">${claim}</span>`,
      formula: `cos(g${sub("B")}, g) = g${sub("B")}·g / (‖g${sub("B")}‖ ‖g‖) = ` +
        `<b>${a.cosine.toFixed(3)}</b>; &nbsp; ‖g${sub("B")}‖ = ${num(a.norm)}, ` +
        `‖g‖ = ${num(a.full_norm)}`,
      figure: bars(a.rows.map((r) => ({name: name(r), value: r.average})), {
        scale, caption: "the mini-batch's average nudge per row…",
      }) + bars(a.rows.map((r) => ({name: name(r), value: r.full})), {
        scale, caption: `…and the average over all ${total} training ${noun()}s, on the same scale`,
      }),
    };
  },
};

// What the lesson's held-out cost curve did: overall, and how often it rose between points.
export function walkSentence(d) {
  const c = d.lesson && d.lesson.curve;
  if (!c || c.length < 3) {
    return `Take a few steps of the lesson network (the buttons above) to see its walk.`;
  }
  const rises = c.slice(1).filter((p, i) => p[1] > c[i][1]).length;
  const overall = c.at(-1)[1] < c[0][1] ? "went down" : "did not go down";
  return `The lesson network's held-out cost ${overall} overall, ${sig(c[0][1])} → ` +
    `<b>${sig(c.at(-1)[1])}</b> in ${c.at(-1)[0].toLocaleString()} steps, though it rose ` +
    `between ${rises} of the ${c.length - 1} pairs of recorded points (the curve above).`;
}

const sgdWalk = {
  title: "Stochastic gradient descent walks down the cost", view: "learn",
  render(d) {
    const a = d.average, n = a.examples.length, steps = Math.ceil(a.n_full / n);
    return {
      text: `Shuffle the training data, cut it into mini-batches of ${n}, and take one step ` +
        `per mini-batch: ${steps.toLocaleString()} steps make one epoch. Each step is a ` +
        `little drunk, but together they walk down the cost. ${walkSentence(d)} Open ` +
        `<b>Watch it learn</b> to see a fresh network do it, slowly enough to follow.`,
      formula: `for each mini-batch B: w ← w − (η/|B|) Σ${sub("x∈B")} ∂C${sub("x")}/∂w` +
        ` = w − (${d.step.eta}/${n}) Σ${sub("x∈B")} ∂C${sub("x")}/∂w; one step: C ` +
        `${sig(d.step.cost_before)} → <b>${sig(d.step.cost_after)}</b>`,
      figure: `<p class="summary">The step in step 7 took the mini-batch's cost from ` +
        `${sig(d.step.cost_before)} to <b>${sig(d.step.cost_after)}</b>; the held-out ` +
        `${noun()}s' from ${sig(d.step.held_out_before)} to <b>${sig(d.step.held_out_after)}` +
        `</b>.</p>`,
    };
  },
};

const costSurface = {
  title: "The walk downhill, drawn on the cost surface", view: "surface",
  render(d) {
    return {
      text: `The cost is a surface over all ${d.model.sizes.slice(1).reduce((n, m, i) =>
        n + m * (d.model.sizes[i] + 1), 0).toLocaleString()} weights and biases; no picture ` +
        `shows it whole. A slice can: the plane through the lesson network's start, where SGD ` +
        `ended, and one more direction. Open <b>Walk downhill</b> to see the cost as contours ` +
        `on that plane, with gradient descent's path (every example each step) and SGD's ` +
        `(a mini-batch each step) from the same start; change η and the batch size and watch ` +
        `the paths change. It says what the projection hides. ${walkSentence(d)}`,
      formula: `gradient descent: θ ← θ − η ∇C(θ); &nbsp; SGD: θ ← θ − η ∇C${sub("B")}(θ); ` +
        `&nbsp; the plane: θ${sub("0")} + α d${sub("1")} + β d${sub("2")}; &nbsp; here, ` +
        `C = <b>${sig(d.step.held_out_before)}</b> on ${d.step.held_out} held-out ${noun()}s`,
      figure: `<p class="summary"><a href="#surface">Walk downhill</a>: the slice, both paths ` +
        `and their true costs.</p>`,
    };
  },
};

export const BATCH_STEPS = [otherExamples, averageStep, miniBatches, sgdWalk, costSurface];
