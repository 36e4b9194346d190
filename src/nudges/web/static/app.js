// nudges: the page only draws; every number comes from the server's /api endpoints.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const POS = "#4aa3ff", NEG = "#ff5a4e", HI = "#ffd166", DIM = "#6b7688";
  const W = 1000, H = 620;                      // the diagram's viewBox
  const state = {
    view: "see", status: null, model: null, result: null, error: null,
    target: null, neuron: null, busy: false, dirty: false, run: null, polling: null,
  };

  // ---- talking to the server ---------------------------------------------------------------
  async function api(path, body) {
    const options = body === undefined ? {} : {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
    };
    const response = await fetch("/api/" + path, options);
    const data = await response.json().catch(() => ({error: response.statusText}));
    if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
    return data;
  }

  function sessionId() {
    let id = sessionStorage.getItem("nudges-session");
    if (!id) {
      const bytes = crypto.getRandomValues(new Uint8Array(12));
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      sessionStorage.setItem("nudges-session", id);
    }
    return id;
  }

  const fmt = (v, digits = 3) => (v >= 0 ? "+" : "−") + num(Math.abs(v), digits);
  // 0.123, or 4.1e-5 when fixed digits would show only zeros
  const sig = (v) => Number(v).toPrecision(3);
  const num = (v, digits = 3) => (v !== 0 && Math.abs(v) < 0.5 * 10 ** -digits
    ? v.toExponential(1) : v.toFixed(digits));
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const sign = (v) => (v >= 0 ? POS : NEG);
  const maxAbs = (values) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;

  // ---- the drawing pad -----------------------------------------------------------------------
  const pad = {canvas: null, ctx: null, strokes: [], example: null, drawing: false};

  function setupPad() {
    pad.canvas = $("pad");
    pad.ctx = pad.canvas.getContext("2d");
    const c = pad.canvas;
    c.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      c.setPointerCapture(e.pointerId);
      if (pad.example) pad.example = null;        // drawing starts a fresh digit
      pad.strokes.push([padPoint(e)]);
      pad.drawing = true;
      drawPad();
      changed();
    });
    c.addEventListener("pointermove", (e) => {
      if (!pad.drawing) return;
      const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
      for (const ev of events.length ? events : [e]) pad.strokes.at(-1).push(padPoint(ev));
      drawPad();
      changed();
    });
    const end = () => { if (pad.drawing) { pad.drawing = false; changed(); } };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
    $("clear").addEventListener("click", () => { pad.strokes = []; pad.example = null; drawPad(); changed(); });
    $("undo").addEventListener("click", () => { pad.strokes.pop(); drawPad(); changed(); });
    $("random").addEventListener("click", () => loadExample());
    $("mistake").addEventListener("click", () => loadExample(null, true));
  }

  function padPoint(e) {
    const r = pad.canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * pad.canvas.width / r.width,
            (e.clientY - r.top) * pad.canvas.height / r.height];
  }

  function drawPad() {
    const {ctx, canvas} = pad;
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (pad.example) {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(grayCanvas(pad.example.pixels), 0, 0, canvas.width, canvas.height);
    }
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 22;
    ctx.lineCap = ctx.lineJoin = "round";
    for (const stroke of pad.strokes) {
      ctx.beginPath();
      ctx.moveTo(...stroke[0]);
      for (const p of stroke.slice(1)) ctx.lineTo(...p);
      if (stroke.length === 1) ctx.lineTo(stroke[0][0] + 0.1, stroke[0][1]);
      ctx.stroke();
    }
    $("pad-hint").textContent = pad.example
      ? `Test digit #${pad.example.index}, labelled ${pad.example.label}. Draw to start your own.`
      : "Draw a digit with the mouse, a pen or a finger.";
  }

  function padImage() {
    if (pad.example && !pad.strokes.length) {
      return {width: 28, height: 28, pixels: pad.example.pixels, centre: false};
    }
    if (!pad.strokes.length) return null;
    const side = 56, small = document.createElement("canvas");
    small.width = small.height = side;
    const c = small.getContext("2d");
    c.imageSmoothingEnabled = true;
    c.imageSmoothingQuality = "high";
    c.drawImage(pad.canvas, 0, 0, side, side);
    const rgba = c.getImageData(0, 0, side, side).data;
    const pixels = new Array(side * side);
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(rgba[4 * i] / 0.255) / 1000;
    return Math.max(...pixels) < 0.05 ? null : {width: side, height: side, pixels, centre: true};
  }

  async function loadExample(index, mistake = false) {
    const n = state.status ? state.status.n_test : 0;
    if (!n) return;
    const i = index ?? Math.floor(Math.random() * n);
    try {
      pad.example = await api(mistake ? `mistake?seed=${Math.floor(Math.random() * 1e9)}`
                                      : `example?index=${i}`);
      if (state.view === "nudges") setTarget(pad.example.label, false);
      pad.strokes = [];
      drawPad();
      changed();
    } catch (e) { showError(e); }
  }

  // ---- keeping the picture up to date ----------------------------------------------------------
  let stepHint = "";
  function changed() {
    stepHint = stepHint || $("step-summary").textContent;
    $("step-summary").textContent = stepHint;
    clearChart("step-outputs");
    clearChart("step-digits");
    schedule();
  }

  async function schedule() {
    if (state.busy) { state.dirty = true; return; }
    state.busy = true;
    try {
      do { state.dirty = false; await refresh(); } while (state.dirty);
    } finally { state.busy = false; }
  }

  async function refresh() {
    if (!state.model) return;
    const image = padImage();
    if (!image) { state.result = null; renderNetwork(); return; }
    const wishes = state.view === "nudges" && state.target !== null;
    const body = wishes ? {image, label: state.target, neuron: state.neuron} : {image};
    try {
      state.result = await api(wishes ? "wishes" : "forward", body);
      state.error = null;
    } catch (e) { state.error = e.message; }
    renderNetwork();
  }

  async function pollStatus() {
    try {
      const status = await api("status");
      const old = state.status;
      state.status = status;
      renderBanner();
      if (!old || old.version !== status.version) await loadModel();
      if (status.data_ready && (!old || !old.data_ready) && !pad.strokes.length && !pad.example) {
        await loadExample(0);
      }
    } catch (e) { $("banner").textContent = "cannot reach the server: " + e.message; }
    setTimeout(pollStatus, state.status && state.status.training_quick ? 700 : 3000);
  }

  async function loadModel() {
    const model = await api("model");
    const resized = !state.model || state.model.sizes.join() !== model.sizes.join();
    state.model = model;
    if (resized) state.neuron = null;
    schedule();
  }

  function renderBanner() {
    const s = state.status;
    const progress = s.training_quick ? ` ${Math.round(100 * s.progress)}%` : "";
    const data = s.data.split(":")[0];
    const banner = $("banner");
    banner.innerHTML = `<b>${esc(s.sizes.join("-"))}</b> ${esc(s.model)}${progress}` +
      ` <span class="sep">·</span> digits: ${esc(data)}`;
    banner.title = s.data;
    banner.classList.toggle("busy", s.training_quick);
  }

  function showError(e) {
    state.error = e.message || String(e);
    renderNetwork();
  }

  // ---- the network diagram -------------------------------------------------------------------
  function layout(sizes) {
    const top = 36, bottom = H - 44, img = {x: 18, size: 196};
    img.y = (H - img.size) / 2 - 10;
    const first = 330, last = sizes.length > 2 ? 840 : 600;
    const layers = [null];
    for (let l = 1; l < sizes.length; l++) {
      const x = sizes.length === 2 ? last : first + (last - first) * (l - 1) / (sizes.length - 2);
      const n = sizes[l], perColumn = Math.min(n, 32), columns = Math.ceil(n / perColumn);
      const gap = Math.min(46, (bottom - top) / perColumn), r = Math.min(17, gap * 0.42);
      const neurons = [];
      for (let i = 0; i < n; i++) {
        const col = Math.floor(i / perColumn), row = i % perColumn;
        neurons.push({x: x + (col - (columns - 1) / 2) * (2 * r + 4),
                      y: (top + bottom) / 2 + (row - (perColumn - 1) / 2) * gap - 10, r});
      }
      layers.push({x, neurons, width: columns * (2 * r + 4)});
    }
    return {img, layers};
  }

  const pixelAt = (img, k) => ({x: img.x + (k % 28 + 0.5) * img.size / 28,
                                y: img.y + (Math.floor(k / 28) + 0.5) * img.size / 28});

  function brightness(activations) {
    const top = Math.max(1, ...activations);
    return activations.map((a) => Math.max(0, a) / top);
  }

  function edgeLines(edges, from, to, alpha, scale, extra = "") {
    const top = scale || maxAbs(edges.map((e) => e[2]));
    let out = "";
    for (const [j, k, w] of edges) {
      const rel = Math.abs(w) / top;
      if (rel < 0.18) continue;
      const a = from(k), b = to(j);
      out += `<line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${b.x.toFixed(1)}" ` +
        `y2="${b.y.toFixed(1)}" stroke="${sign(w)}" stroke-width="${(0.4 + 2.8 * rel).toFixed(2)}" ` +
        `stroke-opacity="${alpha(k, rel).toFixed(3)}"${extra}/>`;
    }
    return out;
  }

  function renderNetwork() {
    if (!state.model) return;
    const sizes = state.model.sizes, {img, layers} = layout(sizes), r = state.result;
    const nudging = state.view === "nudges" && r && r.nudge_edges;
    const lit = r ? r.activations.map(brightness) : sizes.map((n) => new Array(n).fill(0));
    const dim = nudging ? 0.3 : 1;
    let svg = `<defs><filter id="glow" x="-50%" y="-50%" width="200%" height="200%">` +
      `<feGaussianBlur stdDeviation="2.2" result="b"/><feMerge><feMergeNode in="b"/>` +
      `<feMergeNode in="SourceGraphic"/></feMerge></filter></defs>`;
    const neuronAt = (l) => (i) => layers[l].neurons[i];
    if (r) {
      svg += edgeLines(r.input_edges, (k) => pixelAt(img, k), neuronAt(1),
                       (k, rel) => dim * (0.25 + 0.5 * rel));
    }
    for (let l = 2; l < sizes.length; l++) {
      svg += edgeLines(state.model.edges[l], neuronAt(l - 1), neuronAt(l),
                       (k, rel) => dim * (0.1 + 0.8 * lit[l - 1][k] * (0.4 + 0.6 * rel)));
    }
    if (nudging) svg += nudgeEdges(r, img, neuronAt);
    svg += inputImage(img, r);
    svg += neurons(layers, lit, r, nudging);
    svg += layerLabels(sizes, layers, img);
    if (!r) {
      svg += `<text x="${W / 2}" y="${H - 8}" class="note" text-anchor="middle">` +
        `${esc(state.error || "draw a digit to see every layer light up")}</text>`;
    } else if (state.error) {
      svg += `<text x="${W / 2}" y="${H - 8}" class="note error" text-anchor="middle">${esc(state.error)}</text>`;
    }
    $("net").innerHTML = svg;
    $("predicted-digit").textContent = r ? r.prediction : "?";
    renderSeen(r);
    renderWishes(r, nudging);
  }

  function nudgeEdges(r, img, neuronAt) {
    const all = r.nudge_edges.flatMap((edges) => edges.map((e) => Math.abs(e[2])));
    const top = Math.max(...all, 1e-12);
    let out = edgeLines(r.nudge_edges[1], (k) => pixelAt(img, k), neuronAt(1),
                        () => 0.95, maxAbs(r.nudge_edges[1].map((e) => e[2])), ` filter="url(#glow)"`);
    for (let l = 2; l < r.nudge_edges.length; l++) {
      out += edgeLines(r.nudge_edges[l], neuronAt(l - 1), neuronAt(l), () => 0.95,
                       maxAbs(r.nudge_edges[l].map((e) => e[2])), ` filter="url(#glow)"`);
    }
    return top > 0 ? out : "";
  }

  function inputImage(img, r) {
    const frame = `<rect x="${img.x - 2}" y="${img.y - 2}" width="${img.size + 4}" ` +
      `height="${img.size + 4}" class="frame"/>`;
    if (!r) return frame;
    const url = grayCanvas(r.input).toDataURL();
    return frame + `<image href="${url}" x="${img.x}" y="${img.y}" width="${img.size}" ` +
      `height="${img.size}" style="image-rendering: pixelated"/>`;
  }

  function neurons(layers, lit, r, nudging) {
    let out = "";
    const last = layers.length - 1;
    for (let l = 1; l <= last; l++) {
      const wishes = nudging ? r.activation_wishes[l] : null, top = wishes ? maxAbs(wishes) : 1;
      layers[l].neurons.forEach((p, i) => {
        const a = r ? r.activations[l][i] : 0;
        const chosen = nudging && r.neuron && r.neuron.layer === l && r.neuron.index === i;
        const predicted = l === last && r && r.prediction === i;
        const ring = chosen ? HI : predicted ? "#ffffff" : "#7d8aa0";
        out += `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${p.r.toFixed(1)}" ` +
          `class="neuron" data-layer="${l}" data-index="${i}" fill="#fff" ` +
          `fill-opacity="${lit[l][i].toFixed(3)}" stroke="${ring}" ` +
          `stroke-width="${chosen || predicted ? 3 : 1.2}"><title>layer ${l}, neuron ${i}: ` +
          `a = ${a.toFixed(3)}${wishes ? `, wish ${fmt(wishes[i])}` : ""}</title></circle>`;
        if (wishes) out += wishBar(p, wishes[i], top);
        if (l === last) out += outputLabel(p, i, a, wishes, predicted);
      });
    }
    return out;
  }

  function wishBar(p, wish, top) {
    const rel = Math.abs(wish) / top;
    if (rel < 0.03) return "";
    const len = 6 + 24 * rel, x = p.x + p.r + 7, dir = wish >= 0 ? -1 : 1;
    const tail = p.y - dir * len / 2, tip = p.y + dir * len / 2, colour = sign(wish);
    return `<line x1="${x}" y1="${tail.toFixed(1)}" x2="${x}" y2="${(tip - dir * 5).toFixed(1)}" ` +
      `stroke="${colour}" stroke-width="3"/><polygon points="${x - 5},${(tip - dir * 6).toFixed(1)} ` +
      `${x + 5},${(tip - dir * 6).toFixed(1)} ${x},${tip.toFixed(1)}" fill="${colour}"/>`;
  }

  function outputLabel(p, i, a, wishes, predicted) {
    const x = p.x + p.r + (wishes ? 18 : 10);
    const shown = wishes && Math.abs(wishes[i]) >= 0.005;
    const wish = shown ? `<tspan class="wish" fill="${sign(wishes[i])}" dx="8">` +
      `${fmt(wishes[i], 2)}</tspan>` : "";
    return `<text x="${x}" y="${p.y + 6}" class="out${predicted ? " predicted" : ""}">` +
      `<tspan class="digit">${i}</tspan><tspan dx="10" class="value">${a.toFixed(2)}</tspan>` +
      `${wish}</text>`;
  }

  function layerLabels(sizes, layers, img) {
    const names = sizes.map((n, l) => (l === 0 ? `input ${n}` : l === sizes.length - 1
      ? `output ${n}` : `hidden ${n}`));
    let out = `<text x="${img.x + img.size / 2}" y="${H - 32}" class="layer">${names[0]}</text>`;
    for (let l = 1; l < sizes.length; l++) {
      out += `<text x="${layers[l].x}" y="${H - 32}" class="layer">${names[l]}</text>`;
    }
    return out;
  }

  // ---- small pictures -----------------------------------------------------------------------
  function grayCanvas(pixels) {
    const c = document.createElement("canvas");
    c.width = c.height = 28;
    const ctx = c.getContext("2d"), image = ctx.createImageData(28, 28);
    pixels.forEach((v, i) => {
      const g = Math.round(255 * v);
      image.data.set([g, g, g, 255], 4 * i);
    });
    ctx.putImageData(image, 0, 0);
    return c;
  }

  function heatmap(canvas, values, shape) {
    let [rows, cols] = shape;
    if (rows === 1) { cols = Math.ceil(Math.sqrt(values.length)); rows = Math.ceil(values.length / cols); }
    canvas.width = cols;
    canvas.height = rows;
    const ctx = canvas.getContext("2d"), image = ctx.createImageData(cols, rows);
    const top = maxAbs(values);
    for (let i = 0; i < rows * cols; i++) {
      const v = i < values.length ? values[i] / top : 0, t = Math.sqrt(Math.abs(v));
      const rgb = v >= 0 ? [74, 163, 255] : [255, 90, 78];
      image.data.set([...rgb.map((c) => Math.round(12 + (c - 12) * t)), 255], 4 * i);
      if (i >= values.length) image.data.set([30, 34, 44, 255], 4 * i);
    }
    ctx.putImageData(image, 0, 0);
  }

  function renderSeen(r) {
    const ctx = $("seen").getContext("2d");
    if (r) ctx.drawImage(grayCanvas(r.input), 0, 0);
    else { ctx.fillStyle = "#000"; ctx.fillRect(0, 0, 28, 28); }
  }

  // ---- the nudges ---------------------------------------------------------------------------
  function setupTargets() {
    const box = $("targets");
    for (let d = 0; d < 10; d++) {
      const b = document.createElement("button");
      b.textContent = d;
      b.dataset.digit = d;
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => setTarget(d, true));
      box.appendChild(b);
    }
    $("net").addEventListener("click", (e) => {
      const circle = e.target.closest("[data-layer]");
      if (!circle || state.view !== "nudges") return;
      state.neuron = {layer: Number(circle.dataset.layer), index: Number(circle.dataset.index)};
      schedule();
    });
    $("step").addEventListener("click", applyStep);
    $("step-count").addEventListener("change", () => {
      const n = Number($("step-count").value);
      $("step").textContent = n === 1 ? "Apply one step" : `Apply ${n} steps`;
    });
  }

  function setTarget(digit, refresh) {
    state.target = digit;
    for (const b of $("targets").children) {
      b.setAttribute("aria-pressed", String(Number(b.dataset.digit) === digit));
    }
    $("step").disabled = false;
    if (refresh) changed();
  }

  function renderWishes(r, nudging) {
    if (!nudging) {
      if (state.view === "nudges" && state.target === null) {
        $("wish-summary").textContent = "Pick the right digit: every neuron, weight and bias " +
          "then shows how this one example wants it nudged.";
      }
      return;
    }
    const wishes = r.output_wish.map((w, j) => [w, j]).sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]));
    const listed = wishes.slice(0, 3).map(([w, j]) => `${j} ${w >= 0 ? "up" : "down"} by ` +
      `${num(Math.abs(w), 2)}`).join(", ");
    $("wish-summary").innerHTML = `This example's cost C<sub>x</sub> = <b>${sig(r.cost)}</b>. ` +
      `It wishes output ${listed}. The glowing lines are its biggest weight nudges ` +
      `(blue: strengthen, red: weaken).`;
    const n = r.neuron, where = n.layer === state.model.sizes.length - 1 ? "output" : `hidden layer ${n.layer}`;
    $("neuron-summary").innerHTML = `Chosen: neuron ${n.index} of ${where} (click any neuron). ` +
      `It wishes its activation ${n.wish >= 0 ? "up" : "down"} by <b>${num(Math.abs(n.wish))}</b>; ` +
      `bias nudge ${fmt(n.bias_nudge)}. Its weight nudges −δ<sub>j</sub>a<sub>k</sub> are ` +
      `strongest from the brightest inputs: fire together, wire together.`;
    $("neuron-nudges-caption").textContent = `nudges to neuron ${n.index}'s weights`;
    heatmap($("neuron-nudges"), n.nudges, n.shape);
    heatmap($("neuron-weights"), n.weights, n.shape);
  }

  async function applyStep() {
    const image = padImage();
    if (!image || state.target === null) return;
    const eta = Number($("step-eta").value), steps = Number($("step-count").value);
    $("step").disabled = true;
    try {
      const s = await api("step", {image, label: state.target, eta, steps});
      barsBeforeAfter($("step-outputs"), s.output_before, s.output_after, state.target);
      digitChanges($("step-digits"), s.digit_change, s.digit_counts);
      $("step-summary").innerHTML = `${steps === 1 ? "One step" : `${steps} steps`} with η = ${s.eta}: ` +
        `this example's cost ${sig(s.cost_before)} → <b>${sig(s.cost_after)}</b>. ` +
        `On the right, what it did to ${s.digit_counts.reduce((a, b) => a + b, 0)} other ` +
        `test digits (on a copy: the model stays as it is).`;
    } catch (e) { $("step-summary").textContent = e.message; }
    $("step").disabled = false;
  }

  function barsBeforeAfter(svg, before, after, target) {
    const w = 320, h = 150, base = h - 22, scale = base - 18, slot = (w - 20) / 10;
    let out = `<text x="10" y="12" class="axis">output before (grey) and after (colour)</text>`;
    for (let j = 0; j < 10; j++) {
      const x = 14 + j * slot, colour = j === target ? HI : POS;
      out += `<rect x="${x}" y="${base - scale * before[j]}" width="${slot * 0.38}" height="${scale * before[j]}" fill="${DIM}"/>`;
      out += `<rect x="${x + slot * 0.42}" y="${base - scale * after[j]}" width="${slot * 0.38}" height="${scale * after[j]}" fill="${colour}"/>`;
      out += `<text x="${x + slot * 0.4}" y="${h - 6}" class="tick${j === target ? " target" : ""}" text-anchor="middle">${j}</text>`;
    }
    svg.innerHTML = out + `<line x1="10" x2="${w - 6}" y1="${base}" y2="${base}" class="axis-line"/>`;
  }

  function digitChanges(svg, change, counts) {
    const w = 320, h = 150, mid = 76, slot = (w - 20) / 10, top = maxAbs(change);
    let out = `<text x="10" y="12" class="axis">cost change of the other test digits, by label</text>`;
    for (let j = 0; j < 10; j++) {
      const v = counts[j] ? change[j] : 0, len = 48 * Math.abs(v) / top, x = 14 + j * slot;
      const colour = v <= 0 ? POS : NEG;
      out += `<rect x="${x + slot * 0.15}" y="${v > 0 ? mid - len : mid}" width="${slot * 0.7}" height="${len}" fill="${colour}"/>`;
      out += `<text x="${x + slot * 0.5}" y="${h - 6}" class="tick" text-anchor="middle">${j}</text>`;
    }
    out += `<line x1="10" x2="${w - 6}" y1="${mid}" y2="${mid}" class="axis-line"/>`;
    out += `<text x="${w - 8}" y="24" class="axis" text-anchor="end" fill="${NEG}">worse ↑</text>`;
    svg.innerHTML = out + `<text x="${w - 8}" y="${h - 18}" class="axis" text-anchor="end">better ↓</text>`;
  }

  function clearChart(id) { $(id).innerHTML = ""; }

  // ---- charts -------------------------------------------------------------------------------
  function niceTicks(lo, hi, count = 5) {
    const span = hi - lo || 1, raw = span / count, mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || 10 * mag;
    const ticks = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) ticks.push(+t.toPrecision(10));
    return ticks;
  }

  function tickLabel(v) {
    if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(v % 1e6 ? 1 : 0) + "M";
    if (Math.abs(v) >= 1e3) return (v / 1e3).toFixed(v % 1e3 ? 1 : 0) + "k";
    return String(+v.toPrecision(4));
  }

  function lineChart(svg, series, options) {
    const [w, h] = [600, 230], m = {l: 52, r: 14, t: 12, b: 38};
    const xs = series.flatMap((s) => s.points.map((p) => p[0]));
    const ys = series.flatMap((s) => s.points.map((p) => p[1]));
    const xMax = Math.max(options.xMax || 0, ...xs, 1);
    const yLo = options.yMin ?? Math.min(...ys, 0), yHi = options.yMax ?? Math.max(...ys, 1e-6) * 1.05;
    const X = (v) => m.l + (w - m.l - m.r) * v / xMax, Y = (v) => h - m.b - (h - m.t - m.b) * (v - yLo) / (yHi - yLo || 1);
    let out = "";
    for (const t of niceTicks(yLo, yHi)) {
      out += `<line x1="${m.l}" x2="${w - m.r}" y1="${Y(t)}" y2="${Y(t)}" class="grid"/>` +
        `<text x="${m.l - 6}" y="${Y(t) + 4}" class="tick" text-anchor="end">${tickLabel(t)}</text>`;
    }
    for (const t of niceTicks(0, xMax, 6)) {
      out += `<text x="${X(t)}" y="${h - m.b + 16}" class="tick" text-anchor="middle">${tickLabel(t)}</text>`;
    }
    out += `<text x="${(w + m.l) / 2}" y="${h - 4}" class="axis" text-anchor="middle">${options.xLabel}</text>`;
    for (const s of series) {
      const path = s.points.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(" ");
      if (s.dots) out += s.points.map((p) => `<circle cx="${X(p[0])}" cy="${Y(p[1])}" r="4" fill="${s.color}"/>`).join("");
      else out += `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2.2" stroke-linejoin="round"/>`;
    }
    svg.innerHTML = out;
  }

  // ---- watch it learn -----------------------------------------------------------------------
  function setupLearn() {
    $("start").addEventListener("click", startRun);
    $("pause").addEventListener("click", () => control(state.run && state.run.state === "paused" ? "resume" : "pause"));
    $("train-step").addEventListener("click", () => control("step"));
    $("stop").addEventListener("click", () => control("stop"));
    $("use").addEventListener("click", async () => {
      try { state.status = await api("train/use", {session: sessionId()}); renderBanner(); await loadModel(); }
      catch (e) { $("learn-status").textContent = e.message; }
    });
    $("kind").addEventListener("change", () => {
      const relu = $("kind").value === "relu";
      $("eta").value = relu ? 0.1 : 3;
      $("batch").value = relu ? 32 : 10;
    });
    const grid = $("weight-images");
    for (let i = 0; i < 16; i++) {
      const c = document.createElement("canvas");
      c.width = c.height = 28;
      c.className = "pixels";
      grid.appendChild(c);
    }
  }

  async function startRun() {
    const text = $("hidden").value.trim();
    const hidden = text ? text.split(/[\s,]+/).map(Number) : [];
    const body = {session: sessionId(), hidden, kind: $("kind").value, eta: Number($("eta").value),
                  batch_size: Number($("batch").value), epochs: Number($("epochs").value),
                  slow: $("pace").value === "slow"};
    try { renderRun(await api("train/start", body)); poll(); }
    catch (e) { $("learn-status").textContent = e.message; }
  }

  async function control(action) {
    try { renderRun(await api("train/control", {session: sessionId(), action})); poll(); }
    catch (e) { $("learn-status").textContent = e.message; }
  }

  function poll() {
    clearTimeout(state.polling);
    state.polling = setTimeout(async () => {
      try {
        const run = await api(`train/status?session=${sessionId()}&images=true`);
        renderRun(run);
        if (run.state === "running" || run.state === "paused") poll();
      } catch (e) { $("learn-status").textContent = e.message; }
    }, state.run && state.run.state === "paused" ? 1000 : 400);
  }

  function renderRun(run) {
    state.run = run;
    const active = run.state === "running" || run.state === "paused", last = run.points.at(-1);
    $("pause").disabled = !active;
    $("pause").textContent = run.state === "paused" ? "Resume" : "Pause";
    $("train-step").disabled = !active;
    $("stop").disabled = !active;
    $("use").disabled = run.seen === 0;
    const epoch = Math.min(run.settings.epochs, run.epochs.length + (active ? 1 : 0));
    const test = run.epochs.length ? `; test set ${run.epochs.at(-1).test_accuracy.toFixed(2)}%` : "";
    $("learn-status").innerHTML = `<b>${run.state}</b> ${run.sizes.join("-")}: epoch ${epoch} of ` +
      `${run.settings.epochs}, ${run.seen.toLocaleString()} of ${run.total.toLocaleString()} examples. ` +
      `Validation: cost ${last[1].toFixed(4)}, ${last[2].toFixed(1)}% right${test}.` +
      (run.state === "failed" ? ` ${esc(run.message)}` : "");
    $("cost-title").textContent = `Cost on ${run.probe.toLocaleString()} validation digits`;
    lineChart($("cost-chart"), [{points: run.points.map((p) => [p[0], p[1]]), color: HI}],
              {xLabel: "examples seen", xMax: run.total, yMin: 0});
    lineChart($("accuracy-chart"), [
      {points: run.points.map((p) => [p[0], p[2]]), color: POS},
      {points: run.epochs.map((e) => [e.seen, e.test_accuracy]), color: HI, dots: true},
    ], {xLabel: "examples seen (dots: the test set after each epoch)", xMax: run.total, yMin: 0, yMax: 100});
    if (run.weight_images) {
      const canvases = $("weight-images").children, side = run.weight_images.side;
      run.weight_images.values.forEach((v, i) => heatmap(canvases[i], v, [side, side]));
      for (let i = run.weight_images.values.length; i < canvases.length; i++) canvases[i].hidden = true;
    }
  }

  // ---- gradient noise -----------------------------------------------------------------------
  async function measureNoise() {
    $("measure").disabled = true;
    $("noise-status").textContent = "measuring…";
    try {
      const repeats = Number($("repeats").value);
      const model = await api("noise", {repeats});
      const fresh = await api("noise", {repeats, fresh: true});
      renderNoise(model, fresh);
      $("noise-status").textContent = `Full gradient over ${model.n.toLocaleString()} training ` +
        `digits, against ${repeats} random mini-batches of each size.`;
    } catch (e) { $("noise-status").textContent = e.message; }
    $("measure").disabled = false;
  }

  function renderNoise(model, fresh) {
    const [w, h] = [860, 320], m = {l: 52, r: 30, t: 16, b: 44}, both = [...model.rows, ...fresh.rows];
    const lo = Math.min(0, ...both.map((r) => r.cosine_mean - r.cosine_std));
    const xMax = Math.log10(Math.max(...both.map((r) => r.batch_size), 10));
    const X = (b) => m.l + 20 + (w - m.l - m.r - 40) * Math.log10(b) / xMax;
    const Y = (v) => h - m.b - (h - m.t - m.b) * (v - lo) / (1 - lo);
    let out = "";
    for (const t of niceTicks(lo, 1)) {
      out += `<line x1="${m.l}" x2="${w - m.r}" y1="${Y(t)}" y2="${Y(t)}" class="grid"/>` +
        `<text x="${m.l - 6}" y="${Y(t) + 4}" class="tick" text-anchor="end">${tickLabel(t)}</text>`;
    }
    for (const [rows, colour] of [[fresh.rows, DIM], [model.rows, POS]]) {
      out += `<polyline fill="none" stroke="${colour}" stroke-width="2.5" points="${rows.map((r) => `${X(r.batch_size)},${Y(r.cosine_mean)}`).join(" ")}"/>`;
      for (const r of rows) {
        const x = X(r.batch_size);
        out += `<line x1="${x}" x2="${x}" y1="${Y(r.cosine_mean - r.cosine_std)}" y2="${Y(Math.min(1, r.cosine_mean + r.cosine_std))}" stroke="${colour}" stroke-width="2" stroke-opacity="0.7"/>` +
          `<circle cx="${x}" cy="${Y(r.cosine_mean)}" r="5" fill="${colour}"/>`;
      }
    }
    for (const r of model.rows) out += `<text x="${X(r.batch_size)}" y="${h - m.b + 18}" class="tick" text-anchor="middle">${r.batch_size}</text>`;
    out += `<text x="${(w + m.l) / 2}" y="${h - 6}" class="axis" text-anchor="middle">mini-batch size (log scale); dots: mean cosine with the full gradient, bars: ± 1 sd</text>`;
    $("noise-chart").innerHTML = out;
    $("noise-table").innerHTML = `<tr><th>batch</th><th>cosine, fresh network</th>` +
      `<th>cosine, the model</th><th>‖g<sub>B</sub>‖ / ‖g‖, the model</th><th>time per batch</th></tr>` +
      model.rows.map((r, i) => `<tr><td>${r.batch_size}</td>` +
      `<td>${fresh.rows[i].cosine_mean.toFixed(3)} ± ${fresh.rows[i].cosine_std.toFixed(3)}</td>` +
      `<td>${r.cosine_mean.toFixed(3)} ± ${r.cosine_std.toFixed(3)}</td>` +
      `<td>${r.norm_ratio.toFixed(2)}</td><td>${(1000 * r.seconds).toFixed(2)} ms</td></tr>`).join("");
  }

  // ---- views --------------------------------------------------------------------------------
  function show(view) {
    state.view = view;
    document.body.dataset.view = view;
    for (const tab of document.querySelectorAll("nav [data-view]")) {
      tab.setAttribute("aria-selected", String(tab.dataset.view === view));
    }
    if (history.replaceState) history.replaceState(null, "", "#" + view);
    if (view === "nudges" && state.target === null && pad.example && !pad.strokes.length) {
      setTarget(pad.example.label, false);
    }
    if (view === "see" || view === "nudges") schedule();
    if (view === "learn" && state.run) poll();
  }

  function start() {
    setupPad();
    setupTargets();
    setupLearn();
    $("measure").addEventListener("click", measureNoise);
    for (const tab of document.querySelectorAll("nav [data-view]")) {
      tab.addEventListener("click", () => show(tab.dataset.view));
    }
    drawPad();
    const view = location.hash.slice(1);
    show(["see", "nudges", "learn", "noise"].includes(view) ? view : "see");
    pollStatus();
  }

  start();
})();
