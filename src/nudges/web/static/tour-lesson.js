// The tour's lesson network: the loaded model's shape, seeded, starting untrained, which the
// learner moves forward (+1 step, +10 steps, +1 epoch) while every number of the tour is
// recomputed on it; its held-out cost curve so far stays in view. A switch puts the trained
// model in its place. The server computes it all (/api/lesson, nudges.explain.lesson).

import {api} from "./api.js";
import {dots, frame, line, niceTicks, paint, xAxis, xTitle, yAxis} from "./chart.js";
import {$, HI, POS, sig} from "./util.js";

// What the tour runs on: {seed, steps} for the lesson network, or null for the trained model.
export const lessonState = {lesson: {seed: 0, steps: 0}, view: null};

// The lesson's place and curve (and the example it teaches with), from the server.
export async function fetchLesson() {
  if (!lessonState.lesson) {
    lessonState.view = null;
    return api("tour/example", {lesson: null});
  }
  lessonState.view = await api("lesson", lessonState.lesson);
  return lessonState.view;
}

// Buttons: advance, start over, or switch to the trained model; `changed` redraws the tour.
export function setupLesson(changed) {
  const advance = (steps) => () => {
    const l = lessonState.lesson, perEpoch = lessonState.view?.steps_per_epoch || 1;
    if (!l) return;
    l.steps += steps === "epoch" ? perEpoch : steps;
    changed();
  };
  $("lesson-step1").addEventListener("click", advance(1));
  $("lesson-step10").addEventListener("click", advance(10));
  $("lesson-epoch").addEventListener("click", advance("epoch"));
  $("lesson-reset").addEventListener("click", () => {
    if (lessonState.lesson) lessonState.lesson.steps = 0;
    changed();
  });
  $("lesson-trained").addEventListener("change", () => {
    lessonState.lesson = $("lesson-trained").checked ? null : {seed: 0, steps: 0};
    changed();
  });
}

// The bar above the tour: where the lesson is, in words and as its held-out cost curve.
export function renderLesson(model) {
  const v = lessonState.view, on = Boolean(lessonState.lesson);
  $("lesson-trained").checked = !on;
  $("lesson-steps").hidden = $("lesson-figure").hidden = !on;
  if (!on || !v) {
    $("lesson-where").innerHTML = `The tour runs on the <b>trained model</b> ` +
      `(${model.sizes.join("-")}). Untick the box to watch a network learn from scratch.`;
    $("lesson-curve").replaceChildren();
    return;
  }
  const epochs = v.epochs < 1 ? v.epochs.toFixed(2) : v.epochs.toFixed(1);
  $("lesson-where").innerHTML = `<b>Lesson network</b> ${model.sizes.join("-")}, seed ` +
    `${v.seed}: ${v.steps === 0 ? "untrained" : `<b>${v.steps.toLocaleString()}</b> ` +
    `mini-batch step${v.steps === 1 ? "" : "s"} (${epochs} epochs) of ${v.batch} examples, ` +
    `η = ${v.eta}`}; cost of ${v.held_out} held-out examples <b>${sig(v.curve.at(-1)[1])}</b>, ` +
    `${(100 * v.accuracy).toFixed(1)}% right.`;
  costCurve($("lesson-curve"), v.curve);
}

// The held-out cost after each recorded step, on a linear axis from 0 steps.
function costCurve(svg, curve) {
  const last = Math.max(1, curve.at(-1)[0]), top = Math.max(...curve.map((p) => p[1]));
  const hi = niceTicks(0, top * 1.05, 3).find((t) => t >= top) ?? top * 1.05;
  const f = frame(360, 120, {l: 46, r: 12, t: 10, b: 34}, {lo: 0, hi: last}, {lo: 0, hi});
  paint(svg, [yAxis(f, niceTicks(0, hi, 3)), xAxis(f, niceTicks(0, last, 4)),
              xTitle(f, "mini-batch steps"), line(f, curve, POS), dots(f, [curve.at(-1)], HI)]);
  svg.setAttribute("aria-label", `held-out cost after each step: from ${sig(curve[0][1])} at ` +
    `0 steps to ${sig(curve.at(-1)[1])} after ${curve.at(-1)[0]}`);
}
