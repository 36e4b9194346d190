"""The documentation site builds strictly (no broken link, page or API reference), documents
every public name and every registered activation, cost and optimizer, and shows only figures
that exist. Its code blocks are checked with the README's, in test_readme.py."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import nudges
from nudges.core.activations import ACTIVATIONS
from nudges.core.costs import COSTS
from nudges.core.optimizers import OPTIMIZERS

ROOT = Path(__file__).parent.parent
NEEDED = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built by `mkdocs build --strict` into a temporary folder."""
    missing = [m for m in NEEDED if importlib.util.find_spec(m.split(".")[0]) is None
               or importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"the docs extra is not installed ({', '.join(missing)} missing): "
                    "pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out),
         "--config-file", str(ROOT / "mkdocs.yml")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text()


def test_the_api_reference_is_generated_from_the_docstrings(site):
    network = page(site, "reference/network")
    assert 'id="nudges.core.network.Network"' in network
    assert "A fully connected feedforward network trained by backpropagation" in network
    assert nudges.Network.gradient.__doc__.split("\n")[0].split(":")[0][:30] in network


def test_every_public_name_is_in_the_reference(site):
    index = page(site, "reference")
    for name in nudges.__all__:
        if name.startswith("__"):
            continue
        obj = getattr(nudges, name)
        assert f"<code>{name}</code>" in index, name
        if callable(obj) and hasattr(obj, "__module__"):     # linked to its entry
            target = f"{obj.__module__}.{name}"
            assert re.search(rf'href="[^"]*#{re.escape(target)}"', index), target


def test_the_registries_tables_list_every_entry(site):
    engines = page(site, "guide/engines")
    for name in [*ACTIVATIONS, *COSTS, *OPTIMIZERS]:
        assert f"<td><code>{name}</code></td>" in engines, name


def test_every_picture_on_every_page_exists(site):
    pictures = 0
    for html in site.rglob("*.html"):
        for src in re.findall(r'<img[^>]* src="([^"]+)"', html.read_text()):
            if "://" not in src and not src.startswith("data:"):
                assert (html.parent / src).resolve().is_file(), f"{html}: {src}"
                pictures += 1
    assert pictures >= 15


def test_the_tutorial_shows_the_commands_output(site):
    tutorial = page(site, "tutorial")
    assert "test image #18 (labelled 3): the network sees a 8" in tutorial
    assert "backprop and finite differences agree" in tutorial
