"""The web page's ES modules as one module string, for the notebook widgets (anywidget's _esm).

anywidget loads a widget's JavaScript from a single string, where `import ... from "./diagram.js"`
has nothing to resolve against. bundle("widget.js") returns a small loader holding the sources
of widget.js and of every page module it imports, read from nudges/web/static, dependencies
first; when the widget first renders, the loader makes each source a Blob URL with its imports
pointed at its dependencies' URLs, then imports widget.js. The page's modules run unchanged:
the notebook and the page share one copy of the drawing code.
"""

from __future__ import annotations

import importlib.resources
import json
import re

IMPORT = re.compile(r"""\bfrom\s*(["'])\./([\w-]+\.js)\1""")
LOADER = """// nudges: the web page's modules, loaded from Blob URLs (nudges/web/bundle.py)
const SOURCES = __SOURCES__;
const IMPORT = /\\bfrom\\s*(["'])\\.\\/([\\w-]+\\.js)\\1/g;
let loaded = null;

function load() {
  const urls = {};
  for (const [name, source] of Object.entries(SOURCES)) {      // dependencies come first
    const code = source.replace(IMPORT, (match, quote, dep) => `from ${quote}${urls[dep]}${quote}`);
    urls[name] = URL.createObjectURL(new Blob([code], {type: "text/javascript"}));
  }
  return import(urls[__ENTRY__]);
}

export default {
  async render(context) {
    loaded = loaded || load();
    return (await loaded).default.render(context);
  },
};
"""


def static_text(name: str) -> str:
    """The text of nudges/web/static/<name>."""
    return importlib.resources.files("nudges").joinpath("web", "static", name).read_text("utf-8")


def sources(entry: str) -> dict[str, str]:
    """entry and every module it imports (by relative path), each after its dependencies."""
    found: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in found:
            return
        assert name not in path, f"import cycle: {' -> '.join(path + (name,))}"
        text = static_text(name)
        for match in IMPORT.finditer(text):
            visit(match.group(2), path + (name,))
        found[name] = text

    visit(entry, ())
    return found


def bundle(entry: str) -> str:
    """One ES module that loads entry and its imports from nudges/web/static (see above)."""
    return (LOADER.replace("__SOURCES__", json.dumps(sources(entry)))
            .replace("__ENTRY__", json.dumps(entry)))
