// A table's input for "See every layer": a row of the test set (its number, "another row"),
// or values typed into one labelled input per feature, in the data's own units. The server
// standardises a typed row with the data's recorded scaling, as `nudges predict` does.

import {state} from "./state.js";
import {$, esc} from "./util.js";

const row = {index: 0, typed: null, n: 1};   // typed: the values typed, else the test row

// features: the data's column names; changed(): ask the server again.
export function setupRows(features, changed) {
  $("row-fields").innerHTML = features.map((name, k) =>
    `<label title="${esc(name)}"><span>${esc(name)}</span>` +
    `<input type="number" step="any" data-feature="${k}" required></label>`).join("");
  const index = $("row-index");
  index.min = 0;
  index.value = 0;
  const fromTest = (i) => {
    row.n = Math.max(1, state.status ? state.status.n_test : 1);
    index.max = row.n - 1;
    row.index = ((i % row.n) + row.n) % row.n;
    index.value = row.index;
    row.typed = null;
    changed();
  };
  index.addEventListener("change", () => fromTest(Number(index.value) || 0));
  $("row-another").addEventListener("click", () => fromTest(row.index + 1));
  $("row-fields").addEventListener("input", () => {
    const values = [...$("row-fields").querySelectorAll("input")].map((i) => i.valueAsNumber);
    if (values.some((v) => !Number.isFinite(v))) return;          // a field left empty
    row.typed = values;
    changed();
  });
}

// The body of /api/forward for the row shown.
export function rowBody() {
  return row.typed ? {row: row.typed} : {test_index: row.index};
}

// After an answer about a test row: its values in the inputs, and its class.
export function showRow(r, name) {
  if (!r || r.test_index === undefined) {
    $("row-label").textContent = r ? "typed values" : "";
    return;
  }
  $("row-fields").querySelectorAll("input").forEach((input, k) => {
    if (document.activeElement !== input) input.value = String(r.row[k]);
  });
  $("row-label").textContent = `test row ${r.test_index}: a ${name(r.label)}`;
}
