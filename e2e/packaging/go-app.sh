#!/usr/bin/env bash
# A Go module using the generated package in dist/go (a `replace` to the local directory), running
# the README's quick start written in Go (fixtures/main.go):
#
#   bash e2e/packaging/go-app.sh <workdir>               # dependencies from the Go module proxy
#   bash e2e/packaging/go-app.sh <workdir> <bindings>    # cdk8s-core-go and cdk8s-plus-go replaced by
#                                                        # the local bindings of go-bindings.sh
#   -> <workdir>/dist/monitoring.k8s.yaml
#
# The versions are those jsii-pacmak wrote into dist/go/cdk8sprometheus/go.mod (`go mod tidy`
# takes them from there). GOMODCACHE and GOCACHE are Go's defaults, so a warm run only links.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
work=${1:?usage: go-app.sh <workdir> [bindings dir]}
bindings=${2:-}
pkg=$ROOT/dist/go/cdk8sprometheus
[ -f "$pkg/go.mod" ] || { echo "go-app.sh: no $pkg/go.mod (bash e2e/packaging/build.sh)" >&2; exit 1; }
export GO111MODULE=on GOWORK=off GOFLAGS="-mod=mod -buildvcs=false"

rm -rf "$work"
mkdir -p "$work"
cd "$work"
cp "$ROOT/e2e/packaging/fixtures/main.go" .
{
  echo 'module example.com/quickstart'
  echo
  echo 'go 1.25'
  echo
  echo 'require github.com/cdk8s-prometheus/cdk8s-prometheus-go/cdk8sprometheus v0.0.0'
  echo
  echo "replace github.com/cdk8s-prometheus/cdk8s-prometheus-go/cdk8sprometheus => $pkg"
  if [ -n "$bindings" ]; then
    echo "replace github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 => $bindings/cdk8s"
    echo "replace github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2 => $bindings/cdk8splus27"
  fi
} > go.mod
go mod tidy
go list -m all | grep -E 'jsii-runtime-go|constructs-go|cdk8s' | tee versions.txt
# jsii-runtime-go runs the library in the `node` first on PATH (JSII_NODE overrides it).
echo "node $("${JSII_NODE:-node}" --version)" | tee -a versions.txt
go build -o quickstart .
./quickstart
test -s dist/monitoring.k8s.yaml
