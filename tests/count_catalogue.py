"""Count the regression catalogue (issue 10): how many bad inputs and hostile conditions its
tests try, and how many of them are handled cleanly (the test passes: one line, the right
status, nothing destroyed). It runs the catalogue's test files and tallies each collected case:

    NUDGES_DATA=../shared/data/mnist python -m tests.count_catalogue [pytest options]

One case is one test item: each parametrised case once, a test without parameters once (a
few try a handful of inputs in a loop), a hypothesis test once (it tries up to 150 generated
inputs). Controls, the good inputs checked alongside to show that a refusal is not blanket,
are counted apart. Exit status: pytest's.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import pytest

FILES = ("tests/test_hostile.py", "tests/test_hostile_processes.py",
         "tests/test_web_hostile.py", "tests/test_errors.py", "tests/test_fuzz.py",
         "tests/test_hostile_sweep.py", "tests/test_hostile_server.py",
         "tests/test_hostile_data.py")
CONTROLS = frozenset({          # good inputs and helpers, not bad inputs
    "test_a_good_history_file_still_reads", "test_members_helper_round_trips",
    "test_local_hosts_are_answered", "test_integers_still_count_as_floats",
    "test_one_example_of_shape_n_in_is_a_row", "test_labels_and_one_hot_are_both_accepted",
    "test_save_load_round_trip", "test_every_error_is_in_the_family",
    "test_check_target_follows_links_and_tries_a_real_file",
    "test_an_empty_folder_is_taken_and_marked", "test_a_last_line_cut_short_is_skipped",
    "test_the_python_api_selects_features_by_name"})
RANK = {"passed": 0, "skipped": 1, "failed": 2}


class Tally:
    """A pytest plugin: the worst outcome of each item's setup, call and teardown."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self.generated: set[str] = set()        # hypothesis tests: many inputs each

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        self.generated = {i.nodeid for i in items
                          if getattr(getattr(i, "obj", None), "is_hypothesis_test", False)}

    def pytest_runtest_logreport(self, report: Any) -> None:
        old = self.outcomes.get(report.nodeid, "passed")
        self.outcomes[report.nodeid] = max(old, report.outcome, key=RANK.__getitem__)


def function_of(nodeid: str) -> str:
    """'tests/test_x.py::test_y[case]' -> 'test_y'."""
    return nodeid.split("::")[-1].split("[")[0]


def summary(outcomes: dict[str, str], generated: set[str]) -> list[str]:
    """The table: per file, the bad inputs tried and how they ended; then the totals."""
    lines = [f"{'file':<34}{'tried':>7}{'clean':>7}{'failed':>8}{'skipped':>9}"]
    total: Counter[str] = Counter()
    for name in FILES:
        mine = [o for n, o in outcomes.items()
                if n.startswith(name) and function_of(n) not in CONTROLS]
        counts = Counter(mine)
        total.update(counts)
        lines.append(f"{name:<34}{len(mine):>7}{counts['passed']:>7}{counts['failed']:>8}"
                     f"{counts['skipped']:>9}")
    controls = Counter(o for n, o in outcomes.items() if function_of(n) in CONTROLS)
    lines.append(f"{'all':<34}{sum(total.values()):>7}{total['passed']:>7}"
                 f"{total['failed']:>8}{total['skipped']:>9}")
    fuzz = [n for n in generated if function_of(n) not in CONTROLS]
    lines.append(f"of which {len(fuzz)} are hypothesis tests, each trying many generated inputs")
    lines.append(f"controls (good inputs, not counted above): {sum(controls.values())}, "
                 f"{controls['passed']} passed")
    lines += [f"  {o}: {n}" for n, o in sorted(outcomes.items()) if o != "passed"]
    return lines


def main(argv: list[str]) -> int:
    tally = Tally()
    status = int(pytest.main(["-q", "-p", "no:cacheprovider", *FILES, *argv], plugins=[tally]))
    table = summary(tally.outcomes, tally.generated)
    print("\n".join(["", "regression catalogue of issue 10:", *table]))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
