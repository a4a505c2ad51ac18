#!/usr/bin/env bash
# Install Synapse (PyPI matrix-synapse), the reference Matrix homeserver, for the real-server
# tests in tests/peers/test_matrix_room.py, following ../shared/peers/README.md. It goes into
# a virtualenv of its own, not the project's: Synapse pins many libraries (Twisted, attrs,
# pydantic…) that must not move under Hubbub. Idempotent: a complete install at the pinned
# version is detected and left alone, so running it again costs a second.
#
#   ./scripts/peers-matrix.sh           # install (or check)
#
# Where:   ${XDG_CACHE_HOME:-$HOME/.cache}/hubbub/peers/synapse   (a venv; override the whole
#          path with HUBBUB_SYNAPSE_VENV). The tests look for $HUBBUB_SYNAPSE_VENV/bin/python,
#          else the same default path, and skip with a message when neither exists.
# Needs:   python3 >= 3.10 with venv; matrix-synapse ships binary wheels for Linux x86_64.
set -euo pipefail
cd "$(dirname "$0")/.."
# HOME can be unset under some CI runners: ask the password database then, as Python does.
HOME_DIR=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
CACHE=${XDG_CACHE_HOME:-$HOME_DIR/.cache}
VENV=${HUBBUB_SYNAPSE_VENV:-$CACHE/hubbub/peers/synapse}
SYNAPSE_VERSION=1.163.2
PYTHON=${PYTHON:-python3}
STAMP=$VENV/.hubbub-installed
WANT="matrix-synapse==$SYNAPSE_VERSION"

say() { printf 'peers-matrix: %s\n' "$*"; }

synapse_ok() {
  [ -x "$VENV/bin/python" ] || return 1
  local v
  v=$("$VENV/bin/python" -c 'import synapse; print(synapse.__version__)' 2>/dev/null) || return 1
  [ "$v" = "$SYNAPSE_VERSION" ]
}

# Another run may be installing right now: wait for it rather than installing twice.
mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.install.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && synapse_ok; then
  say "already installed in $VENV"
  exit 0
fi

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
say "installing $WANT into $VENV…"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$WANT"
synapse_ok || { say "FAILED: synapse $SYNAPSE_VERSION does not import from $VENV" >&2; exit 1; }
echo "$WANT" > "$STAMP"
say "installed in $VENV"
