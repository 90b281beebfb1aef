#!/usr/bin/env bash
# A fresh cdk8s TypeScript app that installs the PACKED npm tarball, with the README's quick
# start as main.ts, synthesized by the cdk8s CLI:
#
#   bash e2e/packaging/ts-app.sh <workdir>      # -> <workdir>/dist/monitoring.k8s.yaml
#
# `cdk8s init typescript-app` is not used: its post-init hook runs `cdk8s import k8s`, which
# downloads the Kubernetes schema from raw.githubusercontent.com (only the package registries
# are reachable here). The files it would write are written instead: package.json, tsconfig.json
# (the template's, lib/target es2020), cdk8s.yaml (without the `imports:` the app does not use).
# cdk8s, cdk8s-plus-27 and constructs come from npm at the ranges the tarball's peerDependencies
# name; cdk8s-cli, ts-node and typescript are the template's. npm's cache (~/.npm) keeps a warm
# run offline-fast (--prefer-offline).
set -euo pipefail
# A user's app has none of the ts-node settings of whoever runs this (e.g. TS_NODE_PROJECT).
unset "${!TS_NODE_@}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
work=${1:?usage: ts-app.sh <workdir>}
shopt -s nullglob
tgz=("$ROOT"/dist/js/cdk8s-prometheus@*.jsii.tgz)
[ "${#tgz[@]}" -eq 1 ] || { echo "ts-app.sh: want exactly one dist/js/cdk8s-prometheus@*.jsii.tgz, found ${#tgz[@]} (bash e2e/packaging/build.sh)" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
cd "$work"
cp "${tgz[0]}" cdk8s-prometheus.tgz
cp "$ROOT/e2e/packaging/fixtures/tsconfig.json" "$ROOT/e2e/packaging/fixtures/cdk8s.yaml" .

# package.json: the dev tools; the library and its peers come from the README's install command below
# (the tarball must still declare its peers).
tar -xzOf cdk8s-prometheus.tgz package/package.json > library-package.json
node - <<'JS'
const fs = require('fs');
const lib = JSON.parse(fs.readFileSync('library-package.json', 'utf8'));
const peers = lib.peerDependencies ?? {};
for (const p of ['cdk8s', 'cdk8s-plus-27', 'constructs']) {
  if (!peers[p]) throw new Error(`the tarball's package.json has no peerDependency on ${p}`);
}
fs.writeFileSync('package.json', JSON.stringify({
  name: 'quickstart-ts',
  version: '1.0.0',
  private: true,
  license: 'Apache-2.0',
  scripts: { synth: 'cdk8s synth' },
  devDependencies: { 'cdk8s-cli': '^2.207.60', 'ts-node': '^10', 'typescript': '5.9.x', '@types/node': '^20' },
}, null, 2) + '\n');
JS

# main.ts: the README's quick start block, importing from the package, plus the app.
node - "$ROOT/README.md" <<'JS'
const fs = require('fs');
const readme = fs.readFileSync(process.argv[2], 'utf8');
const section = readme.split(/^## Quick start\s*$/m)[1];
if (!section) throw new Error('README.md has no "## Quick start" section');
const m = /```(?:ts|typescript)\n([\s\S]*?)```/.exec(section.split(/^## /m)[0]);
if (!m) throw new Error('the README quick start has no ```ts block');
let code = m[1].replace(/from '\.\.\/src'/g, "from 'cdk8s-prometheus'");
if (!code.includes("from 'cdk8s-prometheus'")) throw new Error("the README quick start does not import 'cdk8s-prometheus'");
if (!/function quickstart\(/.test(code)) throw new Error('the README quick start defines no quickstart(app) function');
code += '\nconst app = new App();\nquickstart(app);\napp.synth();\n';
fs.writeFileSync('main.ts', code);
JS

npm install --no-audit --no-fund --prefer-offline --loglevel=error
# The library and its peers, installed with the README's own command (## Install), the clone's
# path put in: what a reader of the README runs.
install=$(sed -n 's#^npm install /path/to/cdk8s-prometheus/dist/js/\(cdk8s-prometheus@[^ ]*\.jsii\.tgz\) \(.*\)$#\1 \2#p' "$ROOT/README.md")
read -r readme_tgz readme_peers <<<"$install"
[ -n "$readme_tgz" ] || { echo "ts-app.sh: README.md has no 'npm install /path/to/cdk8s-prometheus/dist/js/<tarball> ...' line" >&2; exit 1; }
[ "$(basename "${tgz[0]}")" = "$readme_tgz" ] || { echo "ts-app.sh: README.md installs $readme_tgz, the build made $(basename "${tgz[0]}")" >&2; exit 1; }
# shellcheck disable=SC2086 # the peers are words
npm install "$ROOT/dist/js/$readme_tgz" $readme_peers --no-audit --no-fund --prefer-offline --loglevel=error

# The library is an installed copy (a symlinked checkout would resolve a second cdk8s from the
# repository's node_modules), and the app, the library and cdk8s-plus-27 all load the same
# cdk8s, constructs and cdk8s-plus-27.
[ -d node_modules/cdk8s-prometheus ] && [ ! -L node_modules/cdk8s-prometheus ] \
  || { echo "ts-app.sh: node_modules/cdk8s-prometheus is not an installed copy" >&2; exit 1; }
node - <<'JS'
const path = require('path');
const from = ['.', 'node_modules/cdk8s-prometheus', 'node_modules/cdk8s-plus-27'].map(d => path.resolve(d));
for (const p of ['cdk8s', 'constructs', 'cdk8s-plus-27']) {
  const seen = new Set(from.map(d => require.resolve(`${p}/package.json`, { paths: [d] })));
  if (seen.size !== 1) throw new Error(`more than one ${p} is loaded: ${[...seen].join(', ')}`);
}
JS
node -e 'for (const p of ["cdk8s-prometheus","cdk8s","cdk8s-plus-27","constructs","cdk8s-cli","typescript"]) console.log(`${p}@${require(`./node_modules/${p}/package.json`).version}`)' | tee versions.txt
# The node that `npx cdk8s synth` runs the app with (the first on PATH).
echo "node $(node --version)" | tee -a versions.txt

npx cdk8s synth
test -s dist/monitoring.k8s.yaml
