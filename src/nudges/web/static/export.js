// Figures for slides: any drawn figure (an <svg> of the page: the network diagram, the lesson's
// cost curve, the learning curves, the gradient noise, the cost surface) saves as SVG or PNG.
// A button <button data-export="ID" data-format="svg|png"> saves the <svg id="ID">. The page's
// CSS does not travel with a file, so each element's computed colours, lines and fonts are
// written into the copy; the PNG is that copy drawn at twice its size on the page's background.

const STYLED = ["fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity",
                "stroke-dasharray", "opacity", "font-size", "font-family", "font-weight",
                "font-style", "text-anchor", "dominant-baseline", "letter-spacing"];
const BACKGROUND = "#131720";

export function setupExports() {
  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest("[data-export]");
    if (!button) return;
    const svg = document.getElementById(button.dataset.export);
    if (!svg) return;
    const name = `nudges-${button.dataset.export}`;
    if (button.dataset.format === "png") savePng(svg, name);
    else save(new Blob([svgText(svg)], {type: "image/svg+xml"}), `${name}.svg`);
  });
}

// The figure as a standalone SVG file: its own size, background and inlined styles.
export function svgText(svg) {
  const copy = svg.cloneNode(true), box = svg.viewBox.baseVal;
  const from = [svg, ...svg.querySelectorAll("*")], to = [copy, ...copy.querySelectorAll("*")];
  from.forEach((el, i) => {
    const style = getComputedStyle(el);
    const kept = STYLED.map((p) => `${p}:${style.getPropertyValue(p)}`).join(";");
    to[i].setAttribute("style", kept);
  });
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.setAttribute("width", box.width);
  copy.setAttribute("height", box.height);
  const back = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  Object.entries({x: box.x, y: box.y, width: box.width, height: box.height, fill: BACKGROUND})
    .forEach(([k, v]) => back.setAttribute(k, v));
  copy.insertBefore(back, copy.firstChild);
  return new XMLSerializer().serializeToString(copy);
}

function savePng(svg, name) {
  const box = svg.viewBox.baseVal;
  savePngOf(svgText(svg), `${name}.png`, 2 * box.width, 2 * box.height);
}

// An SVG file's text drawn as a PNG of width x height (its own size if not given), saved.
export function savePngOf(text, filename, width = null, height = null) {
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = width ?? image.width;
    canvas.height = height ?? image.height;
    canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
    canvas.toBlob((blob) => save(blob, filename), "image/png");
  };
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
}

export function save(blob, filename) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
