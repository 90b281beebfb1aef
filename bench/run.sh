#!/usr/bin/env bash
# Benchmarks (issue 6): `npm run bench` / `npx projen bench`. Writes bench/RESULTS.md and prints it.
#
#   1. Overhead vs the floor: whole-process time (hyperfine, median) of synthesizing
#      examples/production.ts with the library, against a process that loads the same packages
#      and emits byte-identical objects with plain `new ApiObject(chart, id, json)`.
#   2. Scaling: stacks of 10, 100 and 1,000 scrape jobs of every kind: wall time (hyperfine),
#      peak RSS (/usr/bin/time), in-process phase times, and CPU profiles at 100 and 1,000 jobs.
#   3. Cardinality: the real Prometheus scrapes the recorded kubelet cAdvisor payload
#      (e2e/fixtures/) through each CadvisorMetrics preset; series per preset, and whether every
#      cAdvisor series the kubernetes-mixin's rules and alerts select survives
#      (bench/mixin-cadvisor-selectors.json).
#
#   npm run bench                          # everything; writes bench/RESULTS.md
#   npm run bench -- cardinality           # some parts (overhead, scaling, cardinality); the
#                                          # report then goes to bench/.work/RESULTS.md only
#
# Runs from a clean clone after `npm ci`. Installs hyperfine and GNU time from Debian when they
# are missing. Everything it starts (fixture server, Prometheus) is stopped on exit; scratch files
# live in bench/.work/ (git-ignored) and a temporary TSDB directory that is removed.
#
# Timed processes run plain node on compiled JS: `npx projen compile` builds lib/ (the published
# JS), tsc compiles bench/*.ts and examples/production.ts into bench/.work/js/, whose `src`
# import is a symlink to lib/. The CPU profiles use bench/.work/tsc/ instead (src compiled by tsc
# with inline source maps), so that hot spots map back to src/*.ts lines.
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=bench/.work
ALL_PARTS=(overhead scaling cardinality)
PARTS=("$@")
((${#PARTS[@]} > 0)) || PARTS=("${ALL_PARTS[@]}")
for p in "${PARTS[@]}"; do
  [[ " ${ALL_PARTS[*]} " == *" $p "* ]] || { echo "bench: unknown part '$p' (known: ${ALL_PARTS[*]})" >&2; exit 2; }
done
want() { [[ " ${PARTS[*]} " == *" $1 "* ]]; }
# A partial run never overwrites the committed report.
RESULTS=bench/RESULTS.md
for p in "${ALL_PARTS[@]}"; do want "$p" || RESULTS=$WORK/RESULTS.md; done
FIXTURE=e2e/fixtures/kubelet-v1.35-metrics-cadvisor.prom
SIZES=(10 100 1000)
BENCH_START=$(date +%s)
export BENCH_START

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
elapsed() { echo $(($(date +%s) - $1)); }

# ---- processes we start: stopped by PID, never by name ---------------------------------------
PIDS=()
TMPDIRS=()
stop_pid() { # PID: TERM, up to 10 s, then KILL; reaped, and forgotten so a reused PID is never hit
  local pid=$1 i
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  local keep=() p
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
}
cleanup() {
  local rc=$? pid d
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do stop_pid "$pid"; done
  for d in "${TMPDIRS[@]+"${TMPDIRS[@]}"}"; do rm -rf "$d"; done
  ((rc == 0)) || printf 'bench: failed (exit %d) after %ss\n' "$rc" "$(elapsed "$BENCH_START")" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- prerequisites -------------------------------------------------------------------------------
[[ -x node_modules/.bin/tsc && -d node_modules/cdk8s && -d node_modules/yaml ]] \
  || die "node_modules is incomplete: run 'npm ci' first"
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]} (apt-get)"
  SUDO=()
  ((EUID == 0)) || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq >&2
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
command -v hyperfine >/dev/null || die "hyperfine is still missing"

# ---- compile ---------------------------------------------------------------------------------------
t=$(date +%s)
log "compile: npx projen compile (lib/)"
if ! out=$(timeout 600 npx projen compile 2>&1); then
  printf '%s\n' "$out" >&2
  die "npx projen compile failed"
fi
[[ -f lib/index.js ]] || die "npx projen compile produced no lib/index.js"
rm -rf "$WORK"
mkdir -p "$WORK"
log "compile: tsc bench/*.ts (bench/.work/tsc, bench/.work/js)"
timeout 300 npx tsc -p bench/tsconfig.json --noEmit false --outDir "$WORK/tsc" >&2 || die "tsc failed on bench/"
cp -r "$WORK/tsc" "$WORK/js"
rm -rf "$WORK/js/src"
ln -s ../../../lib "$WORK/js/src"
JS=$WORK/js/bench
TSC=$WORK/tsc/bench
echo "compile_s=$(elapsed "$t")" >"$WORK/phases.env"

# ---- 1. overhead vs the floor ---------------------------------------------------------------------
check_identical() {
  if ! cmp -s "$O/lib/production.k8s.yaml" "$O/floor/production.k8s.yaml"; then
    diff -u "$O/lib/production.k8s.yaml" "$O/floor/production.k8s.yaml" | head -40 >&2 || true
    die "library and floor outputs differ: not byte-identical (see diff above)"
  fi
}
part_overhead() {
  local t round
  t=$(date +%s)
  O=$WORK/overhead
  mkdir -p "$O"
  log "1. overhead: precompute the production chart's objects"
  node "$JS/precompute.js" "$O/precompute" "$O/objects.json" >&2
  LIB_CMD="node $JS/synth-lib.js $O/lib"
  FLOOR_CMD="node $JS/synth-floor.js $O/floor $O/objects.json"
  $LIB_CMD
  $FLOOR_CMD
  check_identical
  # Other work shares the CPU: three rounds, each timing both commands, so that a change of load
  # hits both sides; the report pools the 30 runs of each.
  for round in 1 2 3; do
    log "1. overhead: outputs byte-identical; timing, round $round of 3 (hyperfine)"
    timeout 300 hyperfine -N --style basic --warmup 2 --runs 10 --export-json "$O/hyperfine-$round.json" \
      -n library "$LIB_CMD" -n floor "$FLOOR_CMD" >&2
    check_identical
  done
  log "1. overhead: CPU profile of one library synth"
  node --cpu-prof --cpu-prof-dir="$O/prof" --cpu-prof-interval 200 "$TSC/synth-lib.js" "$O/prof-out"
  node "$JS/cpuprofile.js" "$O"/prof/*.cpuprofile "$O/profile.json" 12
  echo "overhead_s=$(elapsed "$t")" >>"$WORK/phases.env"
}

# ---- 2. scaling ------------------------------------------------------------------------------------
part_scaling() {
  local t n k cmds=()
  t=$(date +%s)
  S=$WORK/scale
  mkdir -p "$S"
  for n in "${SIZES[@]}"; do
    log "2. scaling: $n jobs: output and phase times (3 runs)"
    for k in 1 2 3; do
      timeout 300 node "$JS/synth-scale.js" "$n" "$S/out-$n" --stats "$S/stats-$n-$k.json"
    done
    cmds+=(-n "n$n" "node $JS/synth-scale.js $n $S/out-$n")
  done
  log "2. scaling: wall time (hyperfine)"
  timeout 900 hyperfine -N --style basic --warmup 2 --runs 10 --export-json "$S/hyperfine.json" "${cmds[@]}" >&2
  for n in "${SIZES[@]}"; do
    log "2. scaling: $n jobs: peak RSS (/usr/bin/time, 5 runs)"
    for k in 1 2 3 4 5; do
      timeout 300 /usr/bin/time -f '%e %M' -o "$S/time-$n-$k.txt" node "$JS/synth-scale.js" "$n" "$S/out-$n"
    done
  done
  for n in 100 1000; do
    log "2. scaling: CPU profile at $n jobs"
    timeout 300 node --cpu-prof --cpu-prof-dir="$S/prof-$n" --cpu-prof-interval 500 "$TSC/synth-scale.js" "$n" "$S/prof-out-$n"
    node "$JS/cpuprofile.js" "$S/prof-$n"/*.cpuprofile "$S/profile-$n.json" 40
  done
  echo "scaling_s=$(elapsed "$t")" >>"$WORK/phases.env"
}

# ---- 3. cardinality --------------------------------------------------------------------------------
PROMETHEUS_VERSION_LINE=
part_cardinality() {
  local t i tools
  t=$(date +%s)
  C=$WORK/cardinality
  mkdir -p "$C"
  log "3. cardinality: Prometheus (e2e/tools/build.sh prometheus; cached under ~/.cache/cdk8s-prometheus)"
  tools=$(bash e2e/tools/build.sh prometheus) || die "e2e/tools/build.sh prometheus failed"
  eval "$tools"
  [[ -x ${PROMETHEUS:-} && -x ${PROMTOOL:-} ]] || die "no Prometheus binary from e2e/tools/build.sh"

  log "3. cardinality: fixture server on 127.0.0.1"
  node "$JS/serve-fixture.js" "$FIXTURE" "$C/fixture.port" &
  PIDS+=($!)
  FIXTURE_PID=$!
  for ((i = 0; i < 100; i++)); do
    [[ -s $C/fixture.port ]] && break
    kill -0 "$FIXTURE_PID" 2>/dev/null || die "the fixture server exited"
    sleep 0.1
  done
  [[ -s $C/fixture.port ]] || die "the fixture server did not start"
  FIXTURE_PORT=$(<"$C/fixture.port")

  node "$JS/cardinality.js" config "$FIXTURE_PORT" "$C/prometheus.yml" "$C/meta.json"
  "$PROMTOOL" check config "$C/prometheus.yml" >&2 || die "promtool refused the bench's prometheus.yml"
  PROM_PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  TSDB=$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-prometheus-bench-tsdb.XXXXXX")
  TMPDIRS+=("$TSDB")
  log "3. cardinality: Prometheus on 127.0.0.1:$PROM_PORT (TSDB in $TSDB)"
  "$PROMETHEUS" --config.file="$C/prometheus.yml" --storage.tsdb.path="$TSDB" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$C/prometheus.log" 2>&1 &
  PIDS+=($!)
  PROM_PID=$!
  if ! timeout 120 node "$JS/cardinality.js" query "http://127.0.0.1:$PROM_PORT" "$C/meta.json" \
    bench/mixin-cadvisor-selectors.json "$FIXTURE" "$C/result.json"; then
    tail -20 "$C/prometheus.log" >&2 || true
    die "cardinality queries failed"
  fi
  stop_pid "$PROM_PID"
  stop_pid "$FIXTURE_PID"
  echo "cardinality_s=$(elapsed "$t")" >>"$WORK/phases.env"
  PROMETHEUS_VERSION_LINE=$("$PROMETHEUS" --version 2>&1 | head -1)
}

# Called from an `if` body, not an `&&` list, so that `set -e` stays in force inside them.
if want overhead; then part_overhead; fi
if want scaling; then part_scaling; fi
if want cardinality; then part_cardinality; fi

# ---- report ----------------------------------------------------------------------------------------
HYPERFINE_VERSION=$(hyperfine --version)
export PROMETHEUS_VERSION_LINE HYPERFINE_VERSION
node "$JS/report.js" "$RESULTS"
cat "$RESULTS"
log "done in $(elapsed "$BENCH_START")s"
