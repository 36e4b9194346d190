// Gradient noise: how well a mini-batch gradient points along the full one, for the model
// shown in the other views and for a fresh, untrained network of its shape.

import {api} from "./api.js";
import {dots, errorBar, frame, line, paint, xAxis, xTitle, yAxis} from "./chart.js";
import {$, DIM, POS, bound} from "./util.js";

export function setupNoise(config) {
  bound($("repeats"), config.limits.repeats, config.defaults.noise.repeats);
  $("measure").addEventListener("click", measureNoise);
}

async function measureNoise() {
  $("measure").disabled = true;
  $("noise-status").textContent = "measuring…";
  try {
    const repeats = Number($("repeats").value);
    const model = await api("noise", {repeats});
    const fresh = await api("noise", {repeats, fresh: true});
    renderChart(model.rows, fresh.rows);
    renderTable(model.rows, fresh.rows);
    $("noise-status").textContent = `Full gradient over ${model.n.toLocaleString()} training ` +
      `digits, against ${repeats} random mini-batches of each size.`;
  } catch (e) { $("noise-status").textContent = e.message; }
  $("measure").disabled = false;
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
