#!/usr/bin/env bash
# Refresh requirements/test.lock, the pinned and hashed test environment that the README's
# test command and .ci/run install, from pyproject.toml's dependencies and `test` extra.
#
#   scripts/lock.sh                      add what pyproject.toml now declares, keep other pins
#   scripts/lock.sh --upgrade            move every pin to the newest release the bounds allow
#   scripts/lock.sh --upgrade-package X  move one
#
# Resolved for Python 3.11 and later on every platform (uv's universal resolution); hashes of every
# file of each pinned release, so pip installs it with --require-hashes. uv itself comes
# pinned from requirements/uv.txt, in a throw-away venv.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
"$tools/venv/bin/pip" install -q --require-hashes -r requirements/uv.txt
"$tools/venv/bin/uv" pip compile pyproject.toml --extra test \
    --universal --python-version 3.11 --generate-hashes \
    --custom-compile-command "scripts/lock.sh" \
    --output-file requirements/test.lock -q "$@"
