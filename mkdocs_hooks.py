"""mkdocs hooks: the docs' lists of names come from the code, never from a hand-written copy.

`<!-- registries -->` becomes tables of the activations, costs and optimizers registered now;
`<!-- public-api -->` becomes a table of every name in `nudges.__all__`, each linked to its
entry in the API reference (so a public name that no reference page documents fails the strict
build).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import re
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.nudges")


def summary(obj: object) -> str:
    """The first paragraph of obj's docstring on one line, table pipes and brackets escaped."""
    paragraph = inspect.cleandoc(obj.__doc__ or "").split("\n\n")[0]
    return " ".join(paragraph.split()).replace("|", "\\|").replace("[", "\\[")


def registry_tables() -> str:
    """Markdown tables of nudges.core.activations.ACTIVATIONS, costs.COSTS and optim.OPTIMIZERS."""
    from nudges.core.activations import ACTIVATIONS, hidden_names
    from nudges.core.costs import COSTS, output_names
    from nudges.core.optimizers import OPTIMIZERS

    rows = ["| activation | σ | σ' | layers |", "|---|---|---|---|"]
    layers = {"hidden": hidden_names(), "output": output_names()}
    for a in ACTIVATIONS.values():
        serves = " and ".join(kind for kind, names in layers.items() if a.name in names)
        prime = "(not elementwise)" if a.prime is None else summary(a.prime)
        rows.append(f"| `{a.name}` | {summary(a.f)} | {prime} | {serves} |")
    rows += ["", "| cost | C_x | output layers |", "|---|---|---|"]
    for c in COSTS.values():
        outputs = ", ".join(f"`{name}`" for name in c.deltas)
        rows.append(f"| `{c.name}` | {summary(c.value)} | {outputs} |")
    rows += ["", "| optimizer | update | hyperparameters (default) | state |", "|---|---|---|---|"]
    for o in OPTIMIZERS.values():
        hypers = ", ".join(f"`{h.name}` ({h.default:g})" for h in o.hypers) or "none"
        slots = ", ".join(f"`{name}`" for name in o.slots) or "none"
        rows.append(f"| `{o.name}` | {summary(o)} | {hypers} | {slots} |")
    return "\n".join(rows)


def defining_module(name: str, obj: object) -> str:
    """The module that defines obj: its __module__, or for data the nudges module that assigns
    the name at its top level."""
    module = getattr(obj, "__module__", None)
    if isinstance(module, str) and (inspect.isclass(obj) or inspect.isroutine(obj)):
        return module
    importlib.import_module("nudges")
    loaded = [m for n, m in sorted(sys.modules.items()) if n.startswith("nudges.")]
    for submodule in loaded:
        if inspect.ismodule(submodule) and re.search(rf"^{name}\b[^=]*=",
                                                     inspect.getsource(submodule), re.M):
            return submodule.__name__
    return "nudges"


def documented_modules(docs_dir: Path) -> set[str]:
    """The modules that some page of docs/reference renders with `::: module`."""
    pages = (docs_dir / "reference").glob("*.md")
    return {m for page in pages for m in re.findall(r"^::: ([\w.]+)", page.read_text(), re.M)}


def public_api_table(docs_dir: Path) -> str:
    """Markdown table of nudges.__all__: each name, where it lives, and what it is.

    A name whose module no reference page renders is listed unlinked, with a warning that
    fails the strict build and says what to add.
    """
    nudges = importlib.import_module("nudges")
    documented = documented_modules(docs_dir)
    rows = ["| name | in | what it is |", "|---|---|---|"]
    for name in sorted(nudges.__all__, key=str.lower):
        obj = getattr(nudges, name)
        if name.startswith("__"):
            continue
        module = defining_module(name, obj)
        if module not in documented:
            log.warning(f"nudges.{name} is public (nudges.__all__) but no page of "
                        f"docs/reference renders {module}: add a page with `::: {module}` "
                        "and list it under 'API reference' in mkdocs.yml")
            rows.append(f"| `{name}` | `{module}` | {summary(obj)} |")
            continue
        if inspect.isclass(obj) or inspect.isroutine(obj):
            link, what = f"[`{name}`][{module}.{name}]", summary(obj)
        else:
            keys = ", ".join(f"`{key}`" for key in obj)
            link, what = f"`{name}`", f"{type(obj).__name__} of {keys}"
        rows.append(f"| {link} | [`{module}`][{module}] | {what} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, config: Any, **kwargs: Any) -> str:
    """Replace each marker on the page with the table it names."""
    tables = {"<!-- registries -->": registry_tables,
              "<!-- public-api -->": lambda: public_api_table(Path(config["docs_dir"]))}
    for marker, table in tables.items():
        if marker in markdown:
            markdown = markdown.replace(marker, table())
    return markdown
