"""The fashion preset's promise: at least 85% on Fashion-MNIST's test set (88.6% when measured).

Debian's package puts the four IDX files in /usr/share/datasets/fashion-mnist; without them the
test is skipped, saying how to get them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nudges.cli import main

FASHION = Path("/usr/share/datasets/fashion-mnist")
HOW = (f"Fashion-MNIST not found in {FASHION}: `apt-get install dataset-fashion-mnist` "
       "(Debian) puts its four IDX files there")


@pytest.mark.slow
@pytest.mark.skipif(not (FASHION / "t10k-labels-idx1-ubyte.gz").is_file(), reason=HOW)
def test_the_fashion_preset_reaches_85_percent(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "fashion.npz"
    assert main(["train", "--data", str(FASHION), "--preset", "fashion", "--quiet",
                 "--save", str(model)]) == 0
    out = capsys.readouterr().out
    assert float(re.findall(r"\(([\d.]+)%\)", out)[-1]) >= 85.0, out
    assert main(["evaluate", str(model)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"true\\said +T-shirt/top +Trouser +Pullover +Dress +Coat", out)
