"""The example notebooks run top to bottom (a fresh kernel each), so that they cannot rot."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("anywidget")

NOTEBOOKS = sorted((Path(__file__).parents[1] / "examples").glob("*.ipynb"))


def test_there_are_example_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    shown = [o for cell in notebook.cells for o in cell.get("outputs", [])
             if o.get("output_type") in ("display_data", "execute_result")]
    assert any("text/html" in o["data"] for o in shown)          # the rich display showed
    widgets = [o for o in shown if "application/vnd.jupyter.widget-view+json" in o["data"]]
    assert widgets                                                # and the widgets were made
