"""The README's and the docs pages' code runs as written: their Python blocks execute (and print
what the text block under them shows, where there is one), and every `nudges ...` line in their
shell blocks is a command the CLI accepts (parsed, not run: some train for minutes). The
README's links to files in the repository point at files that exist.

A block whose printed output is shown runs in a fresh Python under the BLAS settings the docs
state (BLAS below): training amplifies the last bits in which OpenBLAS's kernels for different
CPUs (Haswell's AVX2, SkylakeX's AVX-512) round, so the same code prints other accuracies on
other kernels, and the pages show what it prints on one named kernel.
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from nudges.cli import build_parser
from nudges.core import activations, costs, optimizers

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLAS = {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "2"}   # as docs/tutorial.md says
X86 = platform.machine().lower() in ("x86_64", "amd64")


def name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def blocks(page: Path, *languages: str) -> list[str]:
    """The bodies of the page's fenced code blocks in these languages."""
    pattern = r"^```(?:" + "|".join(languages) + r")\n(.*?)^```"
    return re.findall(pattern, page.read_text(), flags=re.MULTILINE | re.DOTALL)


def commands(page: Path) -> list[list[str]]:
    """Every `nudges ...` command line of the page's shell blocks, as argv (continuations
    joined)."""
    lines = "\n".join(blocks(page, "sh", "bash")).replace("\\\n", " ").splitlines()
    return [shlex.split(line, comments=True) for line in lines
            if line.startswith("nudges ") or line == "nudges"]


def all_commands() -> list[tuple[str, list[str]]]:
    return [(name(page), argv) for page in PAGES for argv in commands(page)]


def printed(page: Path, code: str) -> str | None:
    """The ```text block right after this Python block, if there is one: what it prints."""
    text = page.read_text()
    after = text[text.index(code) + len(code):].removeprefix("```\n").lstrip("\n")
    match = re.match(r"```text\n(.*?)^```", after, flags=re.MULTILINE | re.DOTALL)
    return match.group(1) if match else None


def all_python() -> list[tuple[str, str]]:
    return [(name(page), code) for page in PAGES for code in blocks(page, "python")]


def first_statement(code: str) -> str:
    """The block's first line that is not an import or blank, to name its test."""
    return next((line for line in code.splitlines()
                 if line and not line.startswith(("import ", "from "))), "")


def test_the_readme_and_the_docs_have_code_to_check():
    assert commands(ROOT / "README.md") and len(all_commands()) >= 15
    assert {page for page, _ in all_python()} >= {"docs/tutorial.md", "docs/guide/python.md"}


@pytest.mark.parametrize(("page", "argv"), all_commands(),
                         ids=[f"{page}: {' '.join(argv)}" for page, argv in all_commands()])
def test_every_command_line_is_accepted(page, argv):
    build_parser().parse_args(argv[1:])          # SystemExit (exit 2) for an unknown flag


@pytest.mark.parametrize(("page", "code"), all_python(),
                         ids=[f"{page}: {first_statement(code)}" for page, code in all_python()])
def test_python_blocks_run(page, code, sample_only, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                  # a snippet may save net.npz
    for module, registry in ((activations, "ACTIVATIONS"), (costs, "COSTS"),
                             (optimizers, "OPTIMIZERS")):   # what a snippet registers, undone after
        monkeypatch.setattr(module, registry, dict(getattr(module, registry)))
    expected = printed(ROOT / page, code)
    if expected is None or not X86:              # no kernel to name: run here, output unchecked
        snippet = tmp_path / "snippet.py"           # a file, as a reader's code is: the
        snippet.write_text(code)                    # compiled engine reads an update's source
        exec(compile(code, str(snippet), "exec"), {})
        return
    assert run_fresh(code, tmp_path) == expected    # the output shown under the block


def run_fresh(code: str, tmp_path: Path) -> str:
    """What code prints in a fresh Python with the docs' BLAS settings and only the sample."""
    prelude = ("import pathlib, nudges.data.mnist\n"
               f"nudges.data.mnist.cache_dir = lambda: pathlib.Path({str(tmp_path)!r}) / "
               f"'no-cache'\n")
    done = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True,
                          text=True, cwd=tmp_path, env=os.environ | BLAS, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_readme_links_to_files_that_exist():
    links = re.findall(r"\]\(([^)#\s]+)", (ROOT / "README.md").read_text())
    local = [link for link in links if "://" not in link]
    assert local, "the README links to no file"
    assert [link for link in local if not (ROOT / link).exists()] == []


def pictures(page: Path) -> set[Path]:
    """The files the page's Markdown images show, resolved from the page's folder."""
    sources = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", page.read_text())
    return {(page.parent / src).resolve() for src in sources if "://" not in src}


def test_the_readme_stays_short():
    assert len((ROOT / "README.md").read_bytes()) < 10_000, "move the detail to a docs page"


def test_every_readme_picture_is_on_a_docs_page():
    readme = pictures(ROOT / "README.md")
    assert readme, "the README shows no picture"
    shown = set().union(*(pictures(page) for page in PAGES[1:]))
    assert sorted(p.relative_to(ROOT).as_posix() for p in readme - shown) == []
