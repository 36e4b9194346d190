#!/usr/bin/env bash
# The ways into nudges that CI's own checkout does not see (issue 18): a clone of the repository
# alone (no ../shared beside it, so no full MNIST), a wheel built from that clone, and the example
# notebooks there. Each must train offline on the embedded 5,000-digit sample.
#
#   bash .ci/ways-in.sh          # from the repository; clones what is committed (HEAD)
#
# Every nudges command below runs with an empty HOME and NUDGES_DATA unset, as on a new user's
# machine. Installing uses pip as usual (the package registries are reachable, as for `.ci/run`).
set -euo pipefail
{   # the whole script is read before it runs, so editing it meanwhile cannot derail a run
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/nudges-ways-in.XXXXXX")"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir "$work/home"
as_new_user() { env -u NUDGES_DATA HOME="$work/home" "$@"; }
say() { echo "== ways in: $* =="; }
# pytest's summary line must say "passed" and nothing failed, errored or was skipped unasked.
passed_only() {
    case "$1" in
        *failed*|*error*) echo "not all passed: $1"; exit 1 ;;
        *" passed"*) ;;
        *) echo "no pytest summary: $1"; exit 1 ;;
    esac
}

# nudges train --quiet, offline, must reach 85% on the sample's test part.
check_train() {
    local bin="$1" start line
    start=$(date +%s.%N)
    line=$(as_new_user "$bin/nudges" train --quiet 2>&1 | tail -1)
    echo "$line  (whole command $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s)"
    python3 -c "import re, sys; a = float(re.search(r'\((\d+\.\d+)%\)', sys.argv[1])[1]); \
sys.exit(0 if a >= 85 else f'accuracy {a}% is under 85%')" "$line"
}

# nudges serve must report a trained quick model in /api/status within 60 s.
check_serve() {
    local bin="$1" port
    port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); \
print(s.getsockname()[1])")
    as_new_user "$bin/nudges" serve --port "$port" > "$work/serve.log" 2>&1 &
    local pid=$!
    if ! "$bin/python" "$repo/.ci/wait_for_quick_model.py" "http://127.0.0.1:$port" 60; then
        cat "$work/serve.log"; kill "$pid"; return 1
    fi
    kill "$pid"; wait "$pid" || true   # TERM: a background job of a script ignores INT
}

say "a clone with no ../shared beside it"
git clone -q "$repo" "$work/clone/nudges"
cd "$work/clone/nudges"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip
start=$(date +%s)
"$work/venv/bin/pip" install --quiet -e '.[all,test]'          # the README's install command
echo "installed in $(( $(date +%s) - start )) s"
check_train "$work/venv/bin"
check_serve "$work/venv/bin"

say "the README's test command in the clone"
as_new_user env PATH="$work/venv/bin:$PATH" bash -c \
    'NUDGES_DATA=../shared/data/mnist python -m pytest -p no:cacheprovider -q -rfEs' \
    | tee "$work/pytest.log" | grep -E "^(SKIPPED|FAILED|ERROR)|passed|failed" | cut -c1-200 || true
passed_only "$(tail -1 "$work/pytest.log")"
"$work/venv/bin/python" "$repo/.ci/skips_say_why.py" "$work/pytest.log"

say "the example notebooks in the clone, without full MNIST"
as_new_user env PATH="$work/venv/bin:$PATH" \
    python -m pytest -p no:cacheprovider -q tests/test_notebooks.py 2>&1 | tail -1 \
    | tee "$work/notebooks.log"
passed_only "$(cat "$work/notebooks.log")"
if grep -q skipped "$work/notebooks.log"; then echo "a notebook was skipped"; exit 1; fi

say "a wheel built from the clean clone"
"$work/venv/bin/pip" wheel --quiet --no-deps -w "$work/dist" .
wheel=$(ls "$work"/dist/nudges-*.whl)
"$work/venv/bin/python" -c "import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); \
sample = [n for n in names if n.endswith('sample/mnist-sample.npz')]; print(sample or names); \
sys.exit(0 if sample else 'the wheel holds no sample')" "$wheel"
python3 -m venv "$work/wheel-venv"
"$work/wheel-venv/bin/pip" install --quiet "$wheel[web]"
cd "$work"                                      # away from the clone: the installed copy alone
check_train "$work/wheel-venv/bin"
check_serve "$work/wheel-venv/bin"
say "all ways in train offline"
exit 0
}
