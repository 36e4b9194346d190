#!/usr/bin/env bash
# The browser tests' system dependency: Debian's Chromium, which Playwright drives through
# executable_path (Playwright's own browser downloads are not used). The Python `playwright`
# package comes from pip with the project's `test` extra. Safe to run more than once.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
