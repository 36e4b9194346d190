"""Wait until `nudges serve` at URL reports a trained quick model in /api/status.

    python .ci/wait_for_quick_model.py http://127.0.0.1:8000 60

Exit 0 with the status's model note once the quick model is trained (not "untrained"), 1 after
the given seconds. Standard library only, so it runs in any of the ways-in venvs.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request


def status(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(f"{url}/api/status", timeout=5) as response:
            return dict(json.load(response))
    except (urllib.error.URLError, OSError, ValueError):
        return None                                  # not listening yet


def main(url: str, seconds: str) -> int:
    start = time.monotonic()
    while time.monotonic() - start < float(seconds):
        now = status(url)
        note = str(now.get("server_model", "")) if now else ""
        if now and not now.get("training_quick") and not note.startswith("untrained"):
            print(f"/api/status after {time.monotonic() - start:.1f} s: {note}")
            return 0
        time.sleep(0.5)
    print(f"no trained quick model within {seconds} s; last status: {now}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
