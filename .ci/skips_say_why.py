"""Every skip in a pytest log (run with -rs) says why, in words: exit 1 naming any that do not.

    python .ci/skips_say_why.py pytest.log
"""

from __future__ import annotations

import re
import sys

SILENT = ("unconditional skip", "skipped", "")


def main(log: str) -> int:
    skips = [line for line in open(log, encoding="utf-8") if line.startswith("SKIPPED")]
    silent = [line for line in skips
              if re.sub(r"^SKIPPED \[\d+\] [^:]+:\d+: ", "", line).strip().lower() in SILENT]
    print(f"{len(skips)} skip lines, {len(silent)} without a reason")
    for line in silent:
        print("  no reason:", line.rstrip())
    return 1 if silent else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
