// Export: the figure (the region map and the network side by side) as SVG or PNG, and the
// network as a nudges model file, made by the server (/api/playground/model).

import {sessionId} from "./api.js";
import {figureSvg} from "./playground-draw.js";
import {$} from "./util.js";

export const figure = () => figureSvg($("pg-regions"), $("pg-net"));

export function download(blob, name) {
  const a = Object.assign(document.createElement("a"),
                          {href: URL.createObjectURL(blob), download: name});
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function exportPng() {
  const image = new Image(), svg = figure();
  image.onload = () => {
    const canvas = Object.assign(document.createElement("canvas"),
                                 {width: image.width, height: image.height});
    canvas.getContext("2d").drawImage(image, 0, 0);
    canvas.toBlob((blob) => download(blob, "playground.png"));
  };
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
}

export async function exportModel() {
  const response = await fetch("/api/playground/model",
                               {headers: {"X-Nudges-Session": sessionId()}});
  if (response.ok) download(await response.blob(), "playground.npz");
  else $("pg-error").textContent = (await response.json()).error;
}
