#!/usr/bin/env bash
# Build (once) and cache the real binaries the end-to-end suite runs against,
# from the Go module proxy only, and print where they are:
#
#   eval "$(e2e/tools/build.sh)"              # all tools
#   eval "$(e2e/tools/build.sh prometheus)"   # a subset (tool names below)
#
# stdout: KEY=path lines (PROMETHEUS, PROMTOOL, KUBE_APISERVER, KUBECTL, ETCD,
#         KUBE_SCORE, BLACKBOX_EXPORTER, ALERTMANAGER, AMTOOL) for the tools asked for; everything else
#         goes to stderr.
#
# Tools (arguments): prometheus (also gives promtool), kubernetes (kube-apiserver
# and kubectl; the names kube-apiserver and kubectl are accepted too), etcd,
# kube-score, blackbox_exporter (or blackbox-exporter), alertmanager (also gives
# amtool), all (default).
#
# Each tool version lives in ${CDK8S_PROM_CACHE:-$HOME/.cache/cdk8s-prometheus}/<tool>-<version>/.
# A cache entry is reused when its binaries exist and report the pinned version.
# Builds happen in a temporary sibling directory that is renamed into place only
# after the fresh binaries passed their checks, so an interrupted build never
# leaves a half-filled cache entry. A per-tool flock serialises concurrent runs.
#
# Not built, on purpose:
#  - kube-linter: the Go module proxy refuses both golang.stackrox.io/kube-linter
#    and github.com/stackrox/kube-linter ("403 Forbidden: This module version is
#    not available", checked 2026-11-25 with `go list -m -versions`). kube-score
#    plus the API server's built-in Pod Security admission cover its role.
#  - kube-controller-manager: not needed; the suite creates Endpoints/EndpointSlices
#    and tokens itself (see README.md).
set -euo pipefail

# ---- pinned versions (override through the environment) --------------------
PROMETHEUS_VERSION=${PROMETHEUS_VERSION:-3.16.0}
# Prometheus 3.X.Y is published as Go module version v0.3XX.Y.
if [[ -z ${PROMETHEUS_MODULE_VERSION:-} ]]; then
  IFS=. read -r _pmaj _pmin _ppat <<<"$PROMETHEUS_VERSION"
  PROMETHEUS_MODULE_VERSION=$(printf 'v0.%d%02d.%d' "$_pmaj" "$_pmin" "$_ppat")
fi
KUBERNETES_VERSION=${KUBERNETES_VERSION:-1.35.4}
# The etcd version that k8s.io/kubernetes v1.35.4's go.mod requires
# (go.etcd.io/etcd/server/v3 v3.6.5).
ETCD_VERSION=${ETCD_VERSION:-3.6.5}
KUBE_SCORE_VERSION=${KUBE_SCORE_VERSION:-1.20.0}
# The version BlackboxExporter deploys (src/model/versions.ts). The proxy refuses to list
# this module's versions (@v/list and @latest: 403) but serves the pinned one.
BLACKBOX_EXPORTER_VERSION=${BLACKBOX_EXPORTER_VERSION:-0.28.0}
# The version Alertmanager deploys (src/model/versions.ts ALERTMANAGER_VERSION).
ALERTMANAGER_VERSION=${ALERTMANAGER_VERSION:-0.35.0}

CACHE_ROOT=${CDK8S_PROM_CACHE:-$HOME/.cache/cdk8s-prometheus}
mkdir -p "$CACHE_ROOT"
CACHE_ROOT=$(cd "$CACHE_ROOT" && pwd -P)
# Builds share the CPU with other work: run them niced.
BUILD_NICE=${BUILD_NICE:-10}
# Go build parallelism (packages compiled at once); the machines have 2 cores.
BUILD_JOBS=${BUILD_JOBS:-2}

# ---- Go environment -----------------------------------------------------------
# The default GOMODCACHE/GOCACHE are shared, so a second build is warm.
export GO111MODULE=on GOWORK=off
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0

log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null || die "go is not on PATH"

gobuild() { nice -n "$BUILD_NICE" go "$@"; }

# Module release time from the proxy's .info, used as a reproducible build date.
module_time() { # $1 = module@version
  local j
  j=$(go list -m -json "$1" 2>/dev/null) || return 0
  sed -n 's/^[[:space:]]*"Time": "\(.*\)",\{0,1\}$/\1/p' <<<"$j"
}

TMP_DIRS=()
BUILDING=
cleanup() {
  local rc=$? d
  [[ -z $BUILDING ]] || log "$BUILDING: build failed or was interrupted (exit $rc); cache left untouched"
  for d in "${TMP_DIRS[@]+"${TMP_DIRS[@]}"}"; do
    if [[ -n $d && -d $d ]]; then rm -rf "$d"; fi
  done
  return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- version checks (used for cache reuse and after each build) ---------------
# has TEXT REGEX: grep -E on captured output (avoids SIGPIPE + pipefail).
has() { grep -qE "$2" <<<"$1"; }
check_prometheus() { # $1 = dir
  local a b
  a=$("$1/prometheus" --version 2>&1) && b=$("$1/promtool" --version 2>&1) || return 1
  has "$a" "^prometheus, version ${PROMETHEUS_VERSION//./\\.} " && has "$b" "^promtool, version ${PROMETHEUS_VERSION//./\\.} "
}
check_kubernetes() {
  local a b
  a=$("$1/kube-apiserver" --version 2>&1) && b=$("$1/kubectl" version --client 2>&1) || return 1
  has "$a" "^Kubernetes v${KUBERNETES_VERSION//./\\.}\$" && has "$b" "^Client Version: v${KUBERNETES_VERSION//./\\.}\$"
}
check_etcd() {
  local a
  a=$("$1/etcd" --version 2>&1) || return 1
  has "$a" "^etcd Version: ${ETCD_VERSION//./\\.}\$"
}
check_kube_score() {
  local a
  a=$("$1/kube-score" version 2>&1) || return 1
  has "$a" "^kube-score version: ${KUBE_SCORE_VERSION//./\\.},"
}
check_blackbox_exporter() {
  local a
  a=$("$1/blackbox_exporter" --version 2>&1) || return 1
  has "$a" "^blackbox_exporter, version ${BLACKBOX_EXPORTER_VERSION//./\\.} "
}

check_alertmanager() {
  local a b
  a=$("$1/alertmanager" --version 2>&1) && b=$("$1/amtool" --version 2>&1) || return 1
  has "$a" "^alertmanager, version ${ALERTMANAGER_VERSION//./\\.} " && has "$b" "^amtool, version ${ALERTMANAGER_VERSION//./\\.} "
}

# Extra check after a fresh blackbox_exporter build: it accepts a config with both
# probers the library renders (http, tcp).
check_blackbox_exporter_config() { # $1 = dir
  local cfg="$1/.config-check.yml" out
  cat >"$cfg" <<'EOF'
modules:
  http_2xx:
    prober: http
    http:
      preferred_ip_protocol: ip4
  tcp_connect:
    prober: tcp
    tcp:
      preferred_ip_protocol: ip4
EOF
  if ! out=$("$1/blackbox_exporter" --config.check --config.file="$cfg" 2>&1); then
    rm -f "$cfg"
    log "blackbox_exporter --config.check failed:"
    printf '%s\n' "$out" >&2
    return 1
  fi
  rm -f "$cfg"
}

# Extra check after a fresh Prometheus build: Kubernetes service discovery must
# be compiled in (Debian's package drops it).
check_prometheus_k8s_sd() { # $1 = dir
  local cfg="$1/.sd-check.yml" out
  cat >"$cfg" <<'EOF'
scrape_configs:
  - job_name: k8s-endpointslices
    kubernetes_sd_configs:
      - role: endpointslice
        api_server: https://10.244.0.1:6443
        namespaces: {names: [default]}
EOF
  if ! out=$("$1/promtool" check config "$cfg" 2>&1); then
    rm -f "$cfg"
    log "promtool check config with kubernetes_sd_configs failed:"
    printf '%s\n' "$out" >&2
    return 1
  fi
  rm -f "$cfg"
}

# ---- builders: $1 = empty output dir, $2 = scratch dir for the wrapper module ----
build_prometheus() {
  local out=$1 src=$2 date mod=github.com/prometheus/prometheus
  date=$(module_time "$mod@$PROMETHEUS_MODULE_VERSION")
  date=$(date -u -d "${date:-now}" +%Y%m%d-%H:%M:%S)
  (
    cd "$src"
    go mod init cdk8s-prometheus.local/e2e-tools/prometheus >/dev/null 2>&1
    gobuild get -tool "$mod/cmd/prometheus@$PROMETHEUS_MODULE_VERSION" "$mod/cmd/promtool@$PROMETHEUS_MODULE_VERSION"
    local pv=github.com/prometheus/common/version
    # No `builtinassets` tag: the web UI's compiled assets are not in the module
    # zip (they come from an npm build); the HTTP API works without them.
    gobuild build -p "$BUILD_JOBS" -trimpath -tags netgo -ldflags "-s -w \
      -X $pv.Version=$PROMETHEUS_VERSION \
      -X $pv.Revision=$PROMETHEUS_MODULE_VERSION \
      -X $pv.Branch=HEAD \
      -X $pv.BuildUser=cdk8s-prometheus-e2e \
      -X $pv.BuildDate=$date" \
      -o "$out/" "$mod/cmd/prometheus" "$mod/cmd/promtool"
  )
  check_prometheus_k8s_sd "$out"
}

build_kubernetes() {
  local out=$1 src=$2 v=$KUBERNETES_VERSION gomod date m
  local major=${v%%.*} minor=${v#*.}
  minor=${minor%%.*}
  gomod=$(go mod download -json "k8s.io/kubernetes@v$v") || die "could not download k8s.io/kubernetes@v$v"
  gomod=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$gomod")
  [[ -f $gomod ]] || die "could not download k8s.io/kubernetes@v$v"
  date=$(module_time "k8s.io/kubernetes@v$v")
  date=${date:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
  (
    cd "$src"
    go mod init cdk8s-prometheus.local/e2e-tools/kubernetes >/dev/null 2>&1
    # k8s.io/kubernetes requires its staging modules at v0.0.0 and points them at
    # ./staging/src/... with replace directives, which only apply inside that repo.
    # Replace each one with its published v0.<minor>.<patch> (golang/go#44840,
    # kubernetes/kubernetes#79384).
    local n=0
    for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#\1#p' "$gomod"); do
      go mod edit -replace="$m=$m@v0.${v#*.}"
      n=$((n + 1))
    done
    ((n > 0)) || die "found no staging replace directives in $gomod"
    gobuild get -tool "k8s.io/kubernetes/cmd/kube-apiserver@v$v" "k8s.io/kubernetes/cmd/kubectl@v$v"
    local ld="-s -w" key val pkg
    for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
      for key in gitVersion gitMajor gitMinor gitTreeState buildDate; do
        case $key in
          gitVersion) val=v$v ;;
          gitMajor) val=$major ;;
          gitMinor) val=$minor ;;
          gitTreeState) val=clean ;;
          buildDate) val=$date ;;
        esac
        ld+=" -X $pkg.$key=$val"
      done
    done
    gobuild build -p "$BUILD_JOBS" -trimpath -ldflags "$ld" -o "$out/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
  )
}

build_etcd() {
  local out=$1 src=$2 mod=go.etcd.io/etcd/server/v3
  (
    cd "$src"
    go mod init cdk8s-prometheus.local/e2e-tools/etcd >/dev/null 2>&1
    # `go install go.etcd.io/etcd/server/v3@...` is refused because that go.mod has
    # replace directives (=> ../api etc.); as a dependency they are ignored and the
    # published go.etcd.io/etcd/*/v3 modules of the same version are used.
    gobuild get -tool "$mod@v$ETCD_VERSION"
    gobuild build -p "$BUILD_JOBS" -trimpath \
      -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=v$ETCD_VERSION" \
      -o "$out/etcd" "$mod"
  )
}

build_kube_score() {
  local out=$1 src=$2 mod=github.com/zegl/kube-score date
  date=$(module_time "$mod@v$KUBE_SCORE_VERSION")
  (
    cd "$src"
    go mod init cdk8s-prometheus.local/e2e-tools/kube-score >/dev/null 2>&1
    gobuild get -tool "$mod/cmd/kube-score@v$KUBE_SCORE_VERSION"
    gobuild build -p "$BUILD_JOBS" -trimpath \
      -ldflags "-s -w -X main.version=$KUBE_SCORE_VERSION -X main.commit=v$KUBE_SCORE_VERSION -X main.date=${date:-unknown}" \
      -o "$out/kube-score" "$mod/cmd/kube-score"
  )
}

build_blackbox_exporter() {
  local out=$1 src=$2 mod=github.com/prometheus/blackbox_exporter info date rev
  info=$(go list -m -json "$mod@v$BLACKBOX_EXPORTER_VERSION" 2>/dev/null) || info=
  date=$(sed -n 's/^[[:space:]]*"Time": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")
  date=$(date -u -d "${date:-now}" +%Y%m%d-%H:%M:%S)
  # The tag's commit, from the proxy's origin metadata when it has it.
  rev=$(sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{40\}\)",\{0,1\}$/\1/p' <<<"$info")
  (
    cd "$src"
    go mod init cdk8s-prometheus.local/e2e-tools/blackbox-exporter >/dev/null 2>&1
    gobuild get -tool "$mod@v$BLACKBOX_EXPORTER_VERSION"
    local pv=github.com/prometheus/common/version
    gobuild build -p "$BUILD_JOBS" -trimpath -tags netgo -ldflags "-s -w \
      -X $pv.Version=$BLACKBOX_EXPORTER_VERSION \
      -X $pv.Revision=${rev:-v$BLACKBOX_EXPORTER_VERSION} \
      -X $pv.Branch=HEAD \
      -X $pv.BuildUser=cdk8s-prometheus-e2e \
      -X $pv.BuildDate=$date" \
      -o "$out/blackbox_exporter" "$mod"
  )
  check_blackbox_exporter_config "$out"
}

build_alertmanager() {
  local out=$1 src=$2 mod=github.com/prometheus/alertmanager info date rev
  info=$(go list -m -json "$mod@v$ALERTMANAGER_VERSION" 2>/dev/null) || info=
  date=$(sed -n 's/^[[:space:]]*"Time": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")
  date=$(date -u -d "${date:-now}" +%Y%m%d-%H:%M:%S)
  rev=$(sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{40\}\)",\{0,1\}$/\1/p' <<<"$info")
  (
    cd "$src"
    go mod init cdk8s-prometheus.local/e2e-tools/alertmanager >/dev/null 2>&1
    # No replace directives in its go.mod (checked 2026-12-01), so a plain wrapper module works.
    gobuild get -tool "$mod/cmd/alertmanager@v$ALERTMANAGER_VERSION" "$mod/cmd/amtool@v$ALERTMANAGER_VERSION"
    # ui/web.go embeds ui/app/dist, the compiled web UI, which is not in the module zip (an npm
    # build makes it), so `go install` fails ("pattern app/dist: no matching files found"). The
    # wrapper builds a copy of the module with a one-line index.html per UI root instead (a local
    # replace in the wrapper only; -overlay may not touch GOMODCACHE). The HTTP API, all the suite
    # uses, does not depend on the UI.
    local dir
    dir=$(go list -m -f '{{.Dir}}' "$mod")
    cp -R "$dir" "$src/alertmanager-src"
    chmod -R u+w "$src/alertmanager-src"
    local ui
    for ui in elm mantine; do
      mkdir -p "$src/alertmanager-src/ui/app/dist/$ui"
      printf '<!doctype html><title>Alertmanager</title><p>UI not built (cdk8s-prometheus e2e)</p>\n' \
        >"$src/alertmanager-src/ui/app/dist/$ui/index.html"
    done
    go mod edit -replace="$mod=./alertmanager-src"
    local pv=github.com/prometheus/common/version
    gobuild build -p "$BUILD_JOBS" -trimpath -tags netgo -ldflags "-s -w \
      -X $pv.Version=$ALERTMANAGER_VERSION \
      -X $pv.Revision=${rev:-v$ALERTMANAGER_VERSION} \
      -X $pv.Branch=HEAD \
      -X $pv.BuildUser=cdk8s-prometheus-e2e \
      -X $pv.BuildDate=$date" \
      -o "$out/" "$mod/cmd/alertmanager" "$mod/cmd/amtool"
  )
}

# ---- cache / atomic install ----------------------------------------------------
# ensure NAME VERSION CHECKFN BUILDFN -> sets RESULT_DIR
ensure() {
  local name=$1 version=$2 check=$3 builder=$4
  local dir="$CACHE_ROOT/$name-$version" start lockfd tmp
  start=$(date +%s.%N)
  mkdir -p "$CACHE_ROOT"
  if [[ -d $dir ]] && "$check" "$dir"; then
    log "$name $version: cached in $dir ($(elapsed "$start")s)"
    RESULT_DIR=$dir
    return
  fi
  exec {lockfd}>"$CACHE_ROOT/.$name-$version.lock"
  if command -v flock >/dev/null; then
    flock "$lockfd"
    # Someone else may have finished the build while we waited.
    if [[ -d $dir ]] && "$check" "$dir"; then
      exec {lockfd}>&-
      log "$name $version: cached in $dir (built concurrently; $(elapsed "$start")s)"
      RESULT_DIR=$dir
      return
    fi
  fi
  # Leftovers of killed builds (we hold the lock, so none is running).
  rm -rf "$CACHE_ROOT/.tmp-$name-$version".*
  tmp=$(mktemp -d "$CACHE_ROOT/.tmp-$name-$version.XXXXXX")
  TMP_DIRS+=("$tmp")
  mkdir "$tmp/bin" "$tmp/src"
  log "$name $version: building (cold; this can take minutes) ..."
  # Called plainly (not under `if`/`||`) so that `set -e` stays in force inside.
  BUILDING="$name $version"
  "$builder" "$tmp/bin" "$tmp/src"
  BUILDING=
  "$check" "$tmp/bin" || die "$name $version: freshly built binaries fail the version check"
  rm -rf "$dir"
  mv "$tmp/bin" "$dir"
  rm -rf "$tmp"
  exec {lockfd}>&-
  log "$name $version: built in $(elapsed "$start")s -> $dir ($(du -sh "$dir" | cut -f1))"
  RESULT_DIR=$dir
}

elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

# ---- main -----------------------------------------------------------------------
want_prometheus= want_kubernetes= want_etcd= want_kube_score= want_blackbox_exporter= want_alertmanager=
(($# > 0)) || set -- all
for arg in "$@"; do
  case $arg in
    all) want_prometheus=1 want_kubernetes=1 want_etcd=1 want_kube_score=1 want_blackbox_exporter=1 want_alertmanager=1 ;;
    prometheus | promtool) want_prometheus=1 ;;
    kubernetes | kube-apiserver | kubectl) want_kubernetes=1 ;;
    etcd) want_etcd=1 ;;
    kube-score) want_kube_score=1 ;;
    blackbox_exporter | blackbox-exporter) want_blackbox_exporter=1 ;;
    alertmanager | amtool) want_alertmanager=1 ;;
    -h | --help)
      sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
      exit 0
      ;;
    *) die "unknown tool '$arg' (known: all prometheus promtool kubernetes kube-apiserver kubectl etcd kube-score blackbox_exporter blackbox-exporter alertmanager amtool)" ;;
  esac
done

lines=()
if [[ -n $want_prometheus ]]; then
  ensure prometheus "$PROMETHEUS_VERSION" check_prometheus build_prometheus
  lines+=("PROMETHEUS=$RESULT_DIR/prometheus" "PROMTOOL=$RESULT_DIR/promtool")
fi
if [[ -n $want_kubernetes ]]; then
  ensure kubernetes "$KUBERNETES_VERSION" check_kubernetes build_kubernetes
  lines+=("KUBE_APISERVER=$RESULT_DIR/kube-apiserver" "KUBECTL=$RESULT_DIR/kubectl")
fi
if [[ -n $want_etcd ]]; then
  ensure etcd "$ETCD_VERSION" check_etcd build_etcd
  lines+=("ETCD=$RESULT_DIR/etcd")
fi
if [[ -n $want_kube_score ]]; then
  ensure kube-score "$KUBE_SCORE_VERSION" check_kube_score build_kube_score
  lines+=("KUBE_SCORE=$RESULT_DIR/kube-score")
fi
if [[ -n $want_blackbox_exporter ]]; then
  ensure blackbox_exporter "$BLACKBOX_EXPORTER_VERSION" check_blackbox_exporter build_blackbox_exporter
  lines+=("BLACKBOX_EXPORTER=$RESULT_DIR/blackbox_exporter")
fi
if [[ -n $want_alertmanager ]]; then
  ensure alertmanager "$ALERTMANAGER_VERSION" check_alertmanager build_alertmanager
  lines+=("ALERTMANAGER=$RESULT_DIR/alertmanager" "AMTOOL=$RESULT_DIR/amtool")
fi

for l in "${lines[@]}"; do
  printf '%s=%q\n' "${l%%=*}" "${l#*=}"
done
