// The tour's steps, following the video. Each renders from the numbers the server sent
// (d: {digit, why, wishes, average, step, lesson, model, config, trained}) to {text, formula,
// figure}: the text says what the step shows, and every claim in it about the numbers is
// computed from them (it says the opposite when they say the opposite); the formula is the
// one the step illustrates, with this example's numbers put in.

import {BATCH_STEPS, network} from "./tour-batch.js";
import {bars, digitImg, factorBars} from "./figures.js";
import {className, noun, withArticle} from "./state.js";
import {esc, fmt, num, sig} from "./util.js";

const sub = (s) => `<sub>${s}</sub>`;
const last = (d) => d.model.sizes.length - 1;
const right = (w) => w.prediction === w.label;
const named = (j) => esc(className(j));                // "7", "K", "Ankle boot"

// The cost of one example, as the loaded network's cost computes it.
function costFormula(d) {
  const w = d.wishes, a = w.activations[last(d)], y = (j) => (j === w.label ? 1 : 0);
  if (d.model.config.cost !== "quadratic") {
    return `C${sub("x")} = ${d.model.config.cost}(a${sub("L")}, y) = <b>${sig(w.cost)}</b>`;
  }
  const terms = a.map((v, j) => [0.5 * (v - y(j)) ** 2, j]).sort((p, q) => q[0] - p[0]);
  const shown = terms.slice(0, 3).map(([, j]) => `(${num(a[j], 2)} − ${y(j)})²`).join(" + ");
  return `C${sub("x")} = ½ Σ${sub("j")} (a${sub("j")} − y${sub("j")})² = ½ [${shown} + …] ` +
    `= <b>${sig(w.cost)}</b>`;
}

function outputs(d) {
  const w = d.wishes, a = w.activations[last(d)];
  return bars(a.map((v, j) => ({name: named(j), value: v,
                                 mark: j === w.label ? "target" : j === w.prediction ? "wrong" : ""})),
              {scale: 1, signed: false, caption: `the ${a.length} outputs a<sup>L</sup>, on 0 to 1`});
}

const exampleCost = {
  title: "One training example and its cost", view: "see",
  render(d) {
    const w = d.wishes, verdict = right(w) ? "right"
      : `<b class="wrong-mark">wrong ✗</b> (it is ${esc(withArticle(w.label))})`;
    const n = d.model.sizes[last(d)];
    return {
      text: `Test ${noun()} #${d.digit.index} is ${esc(withArticle(w.label))}` +
        `${d.why === "your pick" ? "" : ` (picked because ${WHY[d.why] || d.why})`}. ` +
        `${network(d, true)}'s ${d.model.sizes.join("-")} neurons turn its ` +
        `${d.model.sizes[0]} pixels into ${n} outputs; the brightest, ` +
        `<b>${named(w.prediction)}</b>, is its answer: ${verdict}. The cost C${sub("x")} of ` +
        `this one example measures how far the outputs are from what they should be: 1 for ` +
        `the ${named(w.label)}, 0 for every other one. Here it is <b>${sig(w.cost)}</b>.`,
      formula: costFormula(d),
      figure: `<div class="tour-pair">${digitImg(d.digit.pixels, `test example ` +
        `${d.digit.index}, ${withArticle(w.label)}`)}${outputs(d)}</div>`,
    };
  },
};

export const WHY = {wrong: "the network gets it wrong", unsure: "the network is unsure of it",
             "highest cost": "it has the highest cost"};

const outputWishes = {
  title: "What the example wishes for the output layer", view: "nudges",
  render(d) {
    const w = d.wishes, a = w.activations[last(d)], j = w.label;
    return {
      text: `This example cannot change the network; it can only wish. It wants the ` +
        `${named(j)} output <b>up</b> and every other output <b>down</b>, each in proportion ` +
        `to how far it is from its target: a wrong output near 1 is wished down hard, one ` +
        `already near 0 hardly at all. ${biggestWish(w)}`,
      formula: `wish${sub("j")} = −∂C${sub("x")}/∂a${sub("j")}` +
        (d.model.config.cost === "quadratic" ? ` = y${sub("j")} − a${sub("j")}` : "") +
        `; for the ${named(j)}: ${num(a[j], 3)} → wish <b>${fmt(w.output_wish[j])}</b>`,
      figure: bars(w.output_wish.map((v, i) => ({name: named(i), value: v,
                                                 mark: i === j ? "target" : ""})),
                   {scale: 1, caption: "each output's wish (blue: up, red: down)"}),
    };
  },
};

// Which wish is strongest, and whether any is big enough to see.
function biggestWish(w) {
  const order = w.output_wish.map((v, i) => [Math.abs(v), i]).sort((p, q) => q[0] - p[0]);
  const [size, i] = order[0];
  if (size < 0.01) {
    return `Here every wish is under 0.01: the network already gets this example right, so ` +
      `it has almost nothing to teach.`;
  }
  return `The strongest wish here is for the ${named(i)} output, ` +
    `<b>${fmt(w.output_wish[i])}</b>${i === w.label ? " (up, towards 1)" : " (down, towards 0)"}.`;
}

const threeLevers = {
  title: "Three levers of one output neuron", view: "nudges",
  render(d) {
    const n = d.wishes.neuron, l = last(d);
    const dCda = -n.wish;
    return {
      text: `To raise output ${n.index}, the network can change its <b>bias</b>, its ` +
        `<b>weights</b> (most those from the brightest neurons of the layer before: “fire ` +
        `together, wire together”), or the <b>previous activations</b> (in proportion to the ` +
        `weights). Each lever's pull is a product of chain-rule factors; σ′(z) is the ` +
        `“gate” through which the wish passes.`,
      formula: `∂C/∂w${sub(`${n.index},${n.k}`)} = a${sub(n.k)}<sup>(${l - 1})</sup> · ` +
        `σ′(z${sub(n.index)}) · ∂C/∂a${sub(n.index)} = ${num(n.a_k)} × ` +
        `${n.sigma_prime === null ? "…" : num(n.sigma_prime)} × ${fmt(dCda)} = ` +
        `<b>${fmt(-n.nudge_jk)}</b><br>∂C/∂b${sub(n.index)} = σ′(z) · ∂C/∂a = ` +
        `<b>${fmt(n.delta)}</b> &nbsp; ∂C/∂a${sub(n.k)} = w${sub(`${n.index},${n.k}`)} σ′(z) ` +
        `∂C/∂a = ${fmt(n.w_jk)} × ${fmt(n.delta)} = <b>${fmt(n.w_jk * n.delta)}</b>`,
      figure: factorBars(n),
    };
  },
};

const wishesAddUp = {
  title: "Adding up the wishes passed back", view: "nudges",
  render(d) {
    const p = d.wishes.passed_back;
    const terms = p.terms.map((t, j) => `(${fmt(p.weights[j], 2)})(${fmt(p.minus_deltas[j], 2)})`);
    return {
      text: `Every output neuron has its own wish for neuron ${p.k} of hidden layer ` +
        `${p.layer}, through the weight between them. Added up, they make that neuron's ` +
        `wish: here <b>${fmt(p.wish)}</b>. These wishes are what is passed back.`,
      formula: `−∂C/∂a${sub(p.k)} = Σ${sub("j")} w${sub(`j,${p.k}`)} (−δ${sub("j")}) = ` +
        `${terms.slice(0, 3).join(" + ")} + … = <b>${fmt(p.wish)}</b>`,
      figure: bars(p.terms.map((v, j) => ({name: `from ${named(j)}`, value: v})),
                   {scale: 1, caption: `each output's share of the wish for hidden neuron ` +
                      `${p.k}`}),
    };
  },
};

const layerByLayer = {
  title: "The recursion, layer by layer", view: "nudges",
  render(d) {
    const r = d.wishes.recursion, top = Math.max(1, Math.ceil(Math.max(...r.map((x) => x.norm))));
    const out = r.at(-1).norm, first = r[0].norm;
    const way = first < out ? `shrink on the way back, from ${num(out)} at the output to ` +
      `${num(first)} at the first hidden layer` : `grow on the way back here, from ` +
      `${num(out)} at the output to ${num(first)} at the first hidden layer`;
    return {
      text: `The same step repeats: the hidden layer's wishes become wishes for the layer ` +
        `before, through its weights and gates, down to the first hidden layer. That is ` +
        `backpropagation. Here the wishes ${way}` +
        `${d.model.config.activation === "sigmoid" ? " (each sigmoid gate σ′ is at most 0.25)"
          : ""}.`,
      formula: `δ${sub("l")} = (W${sub("l+1")}<sup>T</sup> δ${sub("l+1")}) ⊙ σ′(z${sub("l")});` +
        ` size of the wishes ‖−∂C/∂a‖: ` +
        r.map((x) => `layer ${x.layer} <b>${num(x.norm)}</b>`).reverse().join(" ← "),
      figure: bars(r.map((x) => ({name: x.layer === last(d) ? "output" : `layer ${x.layer}`,
                                  value: x.norm})).reverse(),
                   {scale: top, signed: false, colour: "#ffd166",
                    caption: "size of each layer's wishes ‖−∂C/∂a‖"}),
    };
  },
};

export const STEPS = [exampleCost, outputWishes, threeLevers, wishesAddUp, layerByLayer,
  ...BATCH_STEPS];
