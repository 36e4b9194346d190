#!/usr/bin/env bash
# Fashion-MNIST for the fashion preset's test (tests/test_fashion.py): Debian's package puts the
# four IDX files in /usr/share/datasets/fashion-mnist (30 MB). Safe to run more than once.
set -euo pipefail
if [ -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ]; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq dataset-fashion-mnist >/dev/null
ls /usr/share/datasets/fashion-mnist
