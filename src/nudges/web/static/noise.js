// Gradient noise: how well a mini-batch gradient points along the full one, for the model
// shown in the other views and for a fresh, untrained network of its shape.

import {api} from "./api.js";
import {dots, errorBar, frame, line, paint, xAxis, xTitle, yAxis} from "./chart.js";
import {$, DIM, POS, bound} from "./util.js";
import {noun} from "./state.js";

let sizes = [];

export function setupNoise(config) {
  bound($("repeats"), config.limits.repeats, config.defaults.noise.repeats);
  sizes = config.defaults.noise.batch_sizes;
  $("measure").addEventListener("click", measureNoise);
}

// One request per batch size and network, so the page can say how far it has got; sizes
// bigger than the training digits behind the full gradient are left out.
async function measureNoise() {
  $("measure").disabled = true;
  const repeats = Number($("repeats").value), found = {model: [], fresh: []};
  let n = null, train = 0;
  try {
    for (const which of ["model", "fresh"]) {
      for (const size of sizes) {
        if (n !== null && size > n) continue;
        const total = 2 * sizes.filter((s) => n === null || s <= n).length;
        progress(found.model.length + found.fresh.length, total, `measuring ${which === "fresh"
          ? "a fresh network" : "the model"}: ${repeats} batches of ${size}`);
        const r = await api("noise", {repeats, batch_sizes: [size], fresh: which === "fresh"});
        n = r.n;
        train = r.n_train;
        found[which].push(...r.rows);
        renderChart(found.model, found.fresh);
      }
    }
    renderTable(found.model, found.fresh);
    $("noise-status").textContent = `Full gradient over ${n.toLocaleString()}` +
      `${train > n ? ` of the ${train.toLocaleString()}` : ""} training ${noun()}s` +
      `${train > n ? " (the first ones, to keep it quick)" : ""}, against ${repeats} random ` +
      `mini-batches of each size.`;
  } catch (e) { $("noise-status").textContent = e.message; }
  $("noise-progress").hidden = true;
  $("measure").disabled = false;
}

// The progress bar and the line under it: `done` of `total` measurements.
function progress(done, total, what) {
  Object.assign($("noise-progress"), {hidden: false, max: total, value: done});
  $("noise-status").textContent = `${what} (${done + 1} of ${total})…`;
}

// Mean cosine with the full gradient (dots) ± 1 sd (bars) against the batch size, log scale.
function renderChart(model, fresh) {
  const both = [...model, ...fresh];
  const lo = Math.min(0, ...both.map((r) => r.cosine_mean - r.cosine_std));
  const biggest = Math.max(...both.map((r) => r.batch_size), 10);
  const f = frame(860, 320, {l: 52, r: 30, t: 16, b: 44},
                  {lo: 1, hi: biggest, log: true, inset: 20}, {lo, hi: 1});
  const sizes = model.map((r) => r.batch_size);
  paint($("noise-chart"), [
    yAxis(f), ...[[fresh, DIM], [model, POS]].map(([rows, colour]) => series(f, rows, colour)),
    xAxis(f, sizes, {label: String}),
    xTitle(f, "mini-batch size (log scale); dots: mean cosine with the full gradient, " +
              "bars: ± 1 sd"),
  ]);
}

function series(f, rows, colour) {
  const means = rows.map((r) => [r.batch_size, r.cosine_mean]);
  const marks = rows.map((r, i) => errorBar(f, r.batch_size, [r.cosine_mean - r.cosine_std,
    Math.min(1, r.cosine_mean + r.cosine_std)], colour) + dots(f, [means[i]], colour, 5));
  return line(f, means, colour, 2.5) + marks.join("");
}

function renderTable(model, fresh) {
  const pm = (r) => `${r.cosine_mean.toFixed(3)} ± ${r.cosine_std.toFixed(3)}`;
  $("noise-table").innerHTML = `<tr><th>batch</th><th>cosine, fresh network</th>` +
    `<th>cosine, the model</th><th>‖g<sub>B</sub>‖ / ‖g‖, the model</th>` +
    `<th>time per batch</th></tr>` +
    model.map((r, i) => `<tr><td>${r.batch_size}</td><td>${pm(fresh[i])}</td>` +
      `<td>${pm(r)}</td><td>${r.norm_ratio.toFixed(2)}</td>` +
      `<td>${(1000 * r.seconds).toFixed(2)} ms</td></tr>`).join("");
}
