"""The README's code runs as written: its Python blocks execute, and every `nudges ...` line in
its shell blocks is a command the CLI accepts (parsed, not run: some train for minutes)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from nudges.cli import build_parser

README = (Path(__file__).parent.parent / "README.md").read_text()


def blocks(*languages: str) -> list[str]:
    """The bodies of the README's fenced code blocks in these languages."""
    pattern = r"^```(?:" + "|".join(languages) + r")\n(.*?)^```"
    return re.findall(pattern, README, flags=re.MULTILINE | re.DOTALL)


def commands() -> list[list[str]]:
    """Every `nudges ...` command line of the shell blocks, as argv (continuations joined)."""
    lines = "\n".join(blocks("sh", "bash")).replace("\\\n", " ").splitlines()
    argvs = [shlex.split(line, comments=True) for line in lines]
    return [argv for argv in argvs if argv and argv[0] == "nudges"]


def test_the_readme_has_code_to_check():
    assert len(blocks("python")) >= 1 and len(commands()) >= 15


@pytest.mark.parametrize("argv", commands(), ids=" ".join)
def test_every_command_line_is_accepted(argv):
    build_parser().parse_args(argv[1:])          # SystemExit (exit 2) for an unknown flag


@pytest.mark.parametrize("code", blocks("python"), ids=lambda code: code.splitlines()[1])
def test_python_blocks_run(code, sample_only, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                  # the snippet saves net.npz
    exec(compile(code, "README.md", "exec"), {})
