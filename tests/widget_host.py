"""A minimal anywidget host page: a widget's _esm and _css, its traits as a model, no kernel.

The page gives the widget's JavaScript the model interface anywidget gives it (get, set,
save_changes, send, on, off); what the widget sends lands in `window.sent`.
"""

from __future__ import annotations

import json
from typing import Any

TRAITS = ("kind", "network", "result", "error", "image", "target", "neuron", "eta",
          "step_result", "run", "images")

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>__CSS__</style></head>
<body style="margin:0;padding:8px;background:#fff"><div id="widget"></div>
<script type="module">
const state = __STATE__, handlers = {};
window.sent = [];
const model = {
  get: (name) => state[name],
  set: (name, value) => { state[name] = value;
                          for (const fn of handlers["change:" + name] || []) fn(); },
  save_changes: () => { window.saved = (window.saved || 0) + 1; },
  send: (content) => window.sent.push(content),
  on: (name, fn) => { (handlers[name] = handlers[name] || []).push(fn); },
  off: (name, fn) => { handlers[name] = (handlers[name] || []).filter((f) => f !== fn); },
};
window.model = model;
try {
  const url = URL.createObjectURL(new Blob([__ESM__], {type: "text/javascript"}));
  const widget = await import(url);
  await widget.default.render({model, el: document.getElementById("widget")});
  window.rendered = "ok";
} catch (e) { window.rendered = "error: " + e; }
</script></body></html>"""


def host_page(widget: Any) -> str:
    """An HTML page that renders `widget` as a notebook would, from its current traits."""
    state = {name: getattr(widget, name) for name in TRAITS if widget.has_trait(name)}
    return (PAGE.replace("__CSS__", widget._css).replace("__STATE__", json.dumps(state))
            .replace("__ESM__", json.dumps(widget._esm)))
