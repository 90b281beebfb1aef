#!/usr/bin/env bash
# A fresh virtualenv with the built wheel and its dependencies from PyPI (jsii, cdk8s,
# cdk8s-plus-27, constructs, publication, typeguard: whatever the wheel's metadata asks for),
# running the README's quick start written in Python (fixtures/main.py):
#
#   bash e2e/packaging/python-app.sh <workdir>  # -> <workdir>/dist/monitoring.k8s.yaml
#
# pip's cache (~/.cache/pip) keeps a warm run fast. PYTHON picks the interpreter (default python3).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
work=${1:?usage: python-app.sh <workdir>}
shopt -s nullglob
whl=("$ROOT"/dist/python/cdk8s_prometheus-*-py3-none-any.whl)
[ "${#whl[@]}" -eq 1 ] || { echo "python-app.sh: want exactly one dist/python/cdk8s_prometheus-*.whl, found ${#whl[@]} (bash e2e/packaging/build.sh)" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
cd "$work"
"${PYTHON:-python3}" -m venv venv
venv/bin/python -m pip install --quiet --disable-pip-version-check "${whl[0]}"
venv/bin/python -m pip check
venv/bin/python -m pip list --format=freeze --disable-pip-version-check 2>/dev/null \
  | grep -iE '^(cdk8s|cdk8s-plus-27|cdk8s-prometheus|constructs|jsii)==' | tee versions.txt
# The jsii runtime runs the library in the `node` first on PATH (JSII_NODE overrides it).
echo "node $("${JSII_NODE:-node}" --version)" | tee -a versions.txt
cp "$ROOT/e2e/packaging/fixtures/main.py" .
venv/bin/python main.py
test -s dist/monitoring.k8s.yaml
