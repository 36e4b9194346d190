// The playground's controls: its markup, the form filled with the server's choices (read from
// nudges' registries by /api/playground/options), and the configuration in the address
// (#playground/data=spiral&classes=3&…), so that the same address gives the same run.

import {$, fillOptions} from "./util.js";

const MARKUP = `
<div class="card pg-controls">
  <h2>Playground: a network small enough to see whole</h2>
  <form id="pg-form" class="pg-form" novalidate>
    <fieldset><legend>Data</legend>
      <label>set <select id="pg-data"></select></label>
      <label>classes <input id="pg-classes" type="number" step="1"></label>
      <label>points <input id="pg-points" type="number" step="50"></label>
      <label>noise <input id="pg-noise" type="number" step="0.01" min="0" max="1"></label>
      <label>seed <input id="pg-seed" type="number" step="1" min="0"></label>
      <label>test share <input id="pg-test" type="number" step="0.05" min="0.05" max="0.9"></label>
      <label class="wide">your points: a CSV of x,y,label
        <input id="pg-csv" type="file" accept=".csv,text/csv"></label>
    </fieldset>
    <fieldset><legend>Network</legend>
      <label>hidden layers <input id="pg-hidden" type="text" inputmode="numeric"
        title="up to 4 sizes of 1 to 16 neurons, separated by commas; empty: none"></label>
      <label>activation <select id="pg-activation"></select></label>
      <label>output <select id="pg-output"></select></label>
      <label>cost <select id="pg-cost"></select></label>
      <label>init <select id="pg-init"></select></label>
      <div id="pg-features" class="pg-features" role="group"
           aria-label="Extra input features (each an input neuron)"></div>
    </fieldset>
    <fieldset><legend>Optimizer</legend>
      <label>optimizer <select id="pg-optimizer"></select></label>
      <label>η <input id="pg-eta" type="number" step="0.01" min="0" max="10"></label>
      <label>batch <input id="pg-batch" type="number" step="1" min="1" max="500"></label>
      <label>L2 λ <input id="pg-lmbda" type="number" step="0.01" min="0" max="10"></label>
    </fieldset>
    <button type="submit" class="primary">Build this run</button>
  </form>
  <p id="pg-error" class="pg-error" role="alert"></p>
  <div class="buttons">
    <button id="pg-step">Step</button>
    <button id="pg-step10">10 steps</button>
    <button id="pg-epoch">Epoch</button>
    <button id="pg-run" class="primary" aria-pressed="false">Run</button>
    <label>speed <select id="pg-speed">
      <option value="1">1 step a frame</option><option value="10">10 steps a frame</option>
      <option value="100">100 steps a frame</option>
      <option value="5000" selected>full speed</option></select></label>
  </div>
  <p id="pg-counters" class="summary"></p>
  <div class="buttons">
    <button id="pg-png">Export PNG</button><button id="pg-svg">Export SVG</button>
    <button id="pg-model" title="a nudges model file: nudges.load, nudges evaluate">Export
      model</button>
  </div>
</div>
<div class="card pg-figure-card" role="region" aria-label="The network and its decision regions">
  <div class="pg-figure">
    <svg id="pg-regions" viewBox="0 0 400 400" role="img"
         aria-label="the predicted class over the plane, with the points on top"></svg>
    <svg id="pg-net" viewBox="0 0 640 400" role="img"
         aria-label="the network: every weight as a line, every neuron's activation map"></svg>
  </div>
  <p id="pg-legend" class="summary small"></p>
</div>
<div class="card pg-point-card">
  <h3>Backprop on one point</h3>
  <p class="hint">Click a point in the plane, or choose it here.</p>
  <div class="buttons">
    <label>from <select id="pg-which"><option value="train">training points</option>
      <option value="test">test points</option></select></label>
    <label>number <input id="pg-index" type="number" min="0" step="1" value="0"></label>
    <button id="pg-show">Show its nudges</button>
    <button id="pg-weights">Show the weights</button>
  </div>
  <label><input id="pg-rescale" type="checkbox"> rescale the nudges to this point's
    largest</label>
  <p class="hint">With δ<sub>j</sub> = ∂C/∂z<sub>j</sub>: the nudge on weight w<sub>jk</sub> is
    −a<sub>k</sub> δ<sub>j</sub>, on bias b<sub>j</sub> it is −δ<sub>j</sub>, and neuron k of the
    layer before is wished Σ<sub>j</sub> w<sub>jk</sub> (−δ<sub>j</sub>), as in the MNIST views.</p>
  <p id="pg-point-summary" class="summary" aria-live="polite"></p>
  <svg id="pg-wishes" class="chart" viewBox="0 0 400 140" role="img" aria-label="the output wishes"></svg>
</div>
<div class="card pg-batch-card">
  <h3>Average a mini-batch</h3>
  <div class="buttons">
    <label>points <input id="pg-batch-size" type="number" min="1" step="1" value="10"></label>
    <label>weight layer <input id="pg-wl" type="number" min="0" step="1" value="0"></label>
    <label>j <input id="pg-wj" type="number" min="0" step="1" value="0"></label>
    <label>k <input id="pg-wk" type="number" min="0" step="1" value="0"></label>
  </div>
  <div class="buttons">
    <button id="pg-draw-batch">Draw a batch</button>
    <button id="pg-pick" aria-pressed="false"
            title="then click training points in the plane to put them in the batch">Pick
      points</button>
    <button id="pg-apply" disabled>Take this step</button>
  </div>
  <p id="pg-batch-summary" class="summary" aria-live="polite"></p>
  <svg id="pg-batch-chart" class="chart" viewBox="0 0 400 160" role="img"
       aria-label="each point's nudge on the chosen weight, their average and the full gradient's"></svg>
</div>
<div class="card pg-curves">
  <h3>Cost (train: blue, test: yellow)</h3>
  <svg id="pg-cost-chart" class="chart" viewBox="0 0 500 150" role="img" aria-label="train and test cost against steps"></svg>
  <h3>Accuracy (%)</h3>
  <svg id="pg-accuracy-chart" class="chart" viewBox="0 0 500 150" role="img"
       aria-label="train and test accuracy against steps"></svg>
</div>`;

const NUMBERS = ["classes", "points", "noise", "seed", "test", "eta", "batch", "lmbda"];
const CHOICES = ["data", "activation", "output", "cost", "init", "optimizer"];

// The controls, with the server's choices and limits.
export function buildForm(section, options) {
  section.innerHTML = MARKUP;
  const shapes = [...options.shapes, ...(options.csv ? ["csv"] : [])];
  fillOptions($("pg-data"), shapes.map((s) => [s, s === "csv" ? "your CSV" : s]));
  fillOptions($("pg-activation"), options.activations.map((a) => [a, a]));
  fillOptions($("pg-output"), options.outputs.map((a) => [a, a]));
  fillOptions($("pg-cost"), Object.keys(options.costs).map((c) => [c, c]));
  fillOptions($("pg-init"), options.inits.map((c) => [c, c]));
  fillOptions($("pg-optimizer"), options.optimizers.map((o) => [o, o]));
  $("pg-features").innerHTML = Object.entries(options.features).map(([name, label]) =>
    `<label><input type="checkbox" value="${name}"> ${label}</label>`).join("");
  Object.assign($("pg-classes"), {min: options.limits.classes[0], max: options.limits.classes[1]});
  Object.assign($("pg-points"), {min: options.limits.points[0], max: options.limits.points[1]});
  $("pg-batch-size").max = options.limits.rows;
}

// The form's configuration, as /api/playground/configure takes it.
export function readForm() {
  const config = {};
  for (const name of CHOICES) config[name] = $(`pg-${name}`).value;
  for (const name of NUMBERS) config[name] = Number($(`pg-${name}`).value);
  const hidden = $("pg-hidden").value.trim();
  config.hidden = hidden ? hidden.split(/[\s,]+/).map(Number) : [];
  config.features = [...document.querySelectorAll("#pg-features input:checked")]
    .map((box) => box.value);
  return config;
}

export function writeForm(config) {
  for (const name of [...CHOICES, ...NUMBERS]) $(`pg-${name}`).value = config[name];
  $("pg-hidden").value = config.hidden.join(",");
  for (const box of document.querySelectorAll("#pg-features input")) {
    box.checked = config.features.includes(box.value);
  }
}

// #playground/data=spiral&…: every field of the configuration.
export function toHash(config) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(config)) {
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  return "#playground/" + params.toString();
}

// The configuration an address asks for: the defaults, with the fields it names.
export function fromHash(hash, defaults) {
  const config = {...defaults}, query = hash.split("/").slice(1).join("/");
  for (const [key, value] of new URLSearchParams(query)) {
    if (!(key in defaults)) continue;
    if (Array.isArray(defaults[key])) {
      config[key] = value ? value.split(",").map((v) => (key === "hidden" ? Number(v) : v)) : [];
    } else {
      config[key] = typeof defaults[key] === "number" ? Number(value) : value;
    }
  }
  return config;
}
