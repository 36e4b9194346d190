// Export: the figure (the region map and the network side by side) as SVG or PNG, and the
// network as a nudges model file, made by the server (/api/playground/model).

import {sessionId} from "./api.js";
import {save, savePngOf} from "./export.js";
import {figureSvg} from "./playground-draw.js";
import {$} from "./util.js";

export const figure = () => figureSvg($("pg-regions"), $("pg-net"));

export const exportPng = () => savePngOf(figure(), "playground.png");

export async function exportModel() {
  const response = await fetch("/api/playground/model",
                               {headers: {"X-Nudges-Session": sessionId()}});
  if (response.ok) save(await response.blob(), "playground.npz");
  else $("pg-error").textContent = (await response.json()).error;
}
