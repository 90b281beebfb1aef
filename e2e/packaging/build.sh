#!/usr/bin/env bash
# Builds the packages the packaging test installs, when they are missing or older than the
# sources, with the project's own tasks (nothing here changes how a package is built):
#
#   bash e2e/packaging/build.sh          # rebuild what is missing or stale
#   bash e2e/packaging/build.sh --force  # rebuild everything (or PACKAGING_REBUILD=1)
#
#   npx projen pre-compile && npx projen compile   -> lib/, .jsii
#   npx projen package:js                          -> dist/js/cdk8s-prometheus@<v>.jsii.tgz
#   npx projen package:python                      -> dist/python/cdk8s_prometheus-<v>-py3-none-any.whl
#   npx projen package:go                          -> dist/go/cdk8sprometheus/
#   npx projen synth:examples                      -> dist/monitoring.k8s.yaml (the reference)
#
# Java (package:java) is not built here: the packaging test checks it separately.
#
# package:go generates the module, then checks that it compiles with `go mod tidy` + `go build`
# against its dependencies from the Go module proxy. When the proxy refuses a dependency
# (403 "This module version is not available"), the generated sources are complete but unchecked:
# this script says so, removes pacmak's leftover local.go.mod and goes on; the packaging test
# then fails the proxy check with the refused module and compiles the package against locally
# generated bindings instead. Any other package:go failure stops the script.
#
# Per-target times go to stderr as "build.sh: <task> <seconds>s".
set -euo pipefail
cd "$(dirname "$0")/../.."

LOGDIR=e2e/.work/packaging/logs
mkdir -p "$LOGDIR"
force=0
{ [ "${1:-}" = "--force" ] || [ "${PACKAGING_REBUILD:-0}" = 1 ]; } && force=1

log() { printf 'build.sh: %s\n' "$*" >&2; }

# True when an artifact is missing, or older than a source it is built from (or --force).
stale() { # stale <artifact>
  [ "$force" = 1 ] && return 0
  [ -e "$1" ] || return 0
  [ -n "$(find src package.json .projenrc.ts -newer "$1" -print -quit 2>/dev/null)" ]
}

run() { # run <task>: npx projen <task>, log to $LOGDIR/<task>.txt, print the time
  local task=$1 start rc=0
  start=$(date +%s%N)
  npx projen "$task" >"$LOGDIR/${task//:/-}.txt" 2>&1 || rc=$?
  local ms=$(( ($(date +%s%N) - start) / 1000000 ))
  log "$task $((ms / 1000)).$(( (ms % 1000) / 100 ))s (exit $rc)"
  return "$rc"
}

js=(dist/js/cdk8s-prometheus@*.jsii.tgz)
py=(dist/python/cdk8s_prometheus-*-py3-none-any.whl)
go=dist/go/cdk8sprometheus/go.mod

if stale "${js[0]}" || stale "${py[0]}" || stale "$go" || stale .jsii; then
  if stale .jsii || [ ! -d lib ]; then
    run pre-compile
    run compile || { log "jsii compile failed, see $LOGDIR/compile.txt"; tail -30 "$LOGDIR/compile.txt" >&2; exit 1; }
  fi
  if stale "${js[0]}"; then
    run package:js || { tail -30 "$LOGDIR/package-js.txt" >&2; exit 1; }
  fi
  if stale "${py[0]}"; then
    run package:python || { tail -30 "$LOGDIR/package-python.txt" >&2; exit 1; }
  fi
  if stale "$go"; then
    if ! run package:go; then
      if [ -f "$go" ] && grep -q 'This module version is not available' "$LOGDIR/package-go.txt"; then
        log "package:go: generated dist/go/cdk8sprometheus, but its compile check could not fetch a dependency:"
        grep -o 'reading https://[^ ]*: 403 Forbidden' "$LOGDIR/package-go.txt" | sort -u | sed 's/^/build.sh:   /' >&2 || true
        rm -f dist/go/cdk8sprometheus/local.go.mod dist/go/cdk8sprometheus/local.go.sum
      else
        tail -30 "$LOGDIR/package-go.txt" >&2
        exit 1
      fi
    fi
  fi
else
  log "packages are current (dist/js, dist/python, dist/go newer than src/); --force rebuilds"
fi

if [ "$force" = 1 ] || [ ! -e dist/monitoring.k8s.yaml ] \
  || [ -n "$(find src examples package.json -newer dist/monitoring.k8s.yaml -print -quit)" ]; then
  run synth:examples || { tail -30 "$LOGDIR/synth-examples.txt" >&2; exit 1; }
fi
ls dist/js/*.tgz dist/python/*.whl "$go" dist/monitoring.k8s.yaml >&2
