#!/usr/bin/env bash
# The end-to-end suite: builds (or reuses) the real tools, synthesizes the examples, then runs the
# tests with Node's test runner inside a private mount + network namespace (see
# e2e/in-namespace.sh), so that the in-cluster paths and the test cluster's addresses never touch
# the host and nothing leaves the machine.
#
#   npm run e2e                   # every test file
#   npm run e2e -- config lint    # a subset, by file name
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
echo "== tools (e2e/tools/build.sh)" >&2
tools_env=$(bash e2e/tools/build.sh)
eval "$(printf '%s\n' "$tools_env" | sed 's/^/export /')"
printf '%s\n' "$tools_env" >&2
echo "tools ready in $(( $(date +%s) - start ))s" >&2

for cmd in openssl unshare ip mount; do
  command -v "$cmd" >/dev/null || { echo "e2e: '$cmd' is missing (see .ci/run for the Debian packages)" >&2; exit 1; }
done

echo "== synthesize examples" >&2
npx projen synth:examples >&2

mkdir -p e2e/.work
files=()
if [ "$#" -gt 0 ]; then
  for name in "$@"; do files+=("e2e/${name}.test.ts"); done
else
  # packaging.test.ts needs the package registries: `npx projen e2e:packaging`, outside the namespace.
  for f in e2e/*.test.ts; do [ "$f" = e2e/packaging.test.ts ] || files+=("$f"); done
fi

export TS_NODE_PROJECT=e2e/tsconfig.json TS_NODE_TRANSPILE_ONLY=1 CDK8S_PROM_E2E_NS=1
# --test-concurrency=1: the cluster test and the config test share the in-pod paths.
tap=e2e/.work/results.tap
rc=0
unshare --mount --net --fork -- bash e2e/in-namespace.sh \
  node --require ts-node/register --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" "${files[@]}" || rc=$?
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -1)
echo "e2e finished in $(( $(date +%s) - start ))s (exit $rc)" >&2
echo "e2e: ${passed:-0} passed, ${failed:-0} failed"
if [ "$rc" -eq 0 ] && [ "${passed:-0}" -eq 0 ]; then
  echo "e2e: no test ran" >&2
  exit 1
fi
exit "$rc"
