#!/usr/bin/env bash
# Prepares the private mount + network namespace the cluster suite runs in, then
# runs the given command there. Called by e2e/run.sh as
#
#   unshare --mount --net --fork -- bash e2e/in-namespace.sh <command> [args...]
#
# - every mount made here stays private (mount --make-rprivate /), and /run is a
#   fresh tmpfs, so /var/run/secrets/kubernetes.io/serviceaccount (where the suite
#   writes the ServiceAccount token, CA and namespace for Prometheus, as the kubelet
#   would in a pod) never exists on the host;
# - the loopback device carries 10.244.0.1/24 (etcd, kube-apiserver, Prometheus) and
#   one /32 per fake host below; there is no other device and no route, so nothing
#   can reach the host network or the outside.
#
# It refuses to run outside fresh namespaces: it would otherwise change the host.
set -euo pipefail

die() { printf 'in-namespace.sh: %s\n' "$*" >&2; exit 1; }
usage="unshare --mount --net --fork -- bash $0 <command> [args...]"

(($# > 0)) || die "usage: $usage"
[[ $(id -u) == 0 ]] || die "needs root (mounts and addresses inside the new namespaces)"

# A fresh network namespace has only lo.
devices=$(ip -o link show | awk -F': ' '{ print $2 }')
[[ $devices == lo ]] || die "not inside a fresh network namespace (devices: $(echo $devices)); run me as: $usage"

# The mount namespace must be private too: the nearest ancestor outside our network
# namespace (the shell that ran unshare) must be outside our mount namespace as well.
self_net=$(readlink /proc/self/ns/net)
self_mnt=$(readlink /proc/self/ns/mnt)
pid=$$ outside_mnt=
while :; do
  pid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
  [[ -n $pid && $pid != 0 ]] || break
  net=$(readlink "/proc/$pid/ns/net" 2>/dev/null) || continue
  if [[ $net != "$self_net" ]]; then
    outside_mnt=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null || true)
    break
  fi
done
# If the ancestry is cut (unshare reparented, e.g. under setsid), accept a parent that is
# `unshare` started with --mount (-m).
parent_unshares_mount() {
  local comm arg
  comm=$(cat "/proc/$PPID/comm" 2>/dev/null || true)
  [[ $comm == unshare && $(readlink "/proc/$PPID/ns/mnt" 2>/dev/null) == "$self_mnt" ]] || return 1
  while IFS= read -r -d '' arg; do
    [[ $arg == -- ]] && break
    [[ $arg == --mount || $arg == --mount=* || $arg =~ ^-[a-zA-Z]*m[a-zA-Z]*$ ]] && return 0
  done <"/proc/$PPID/cmdline"
  return 1
}
if [[ -z $outside_mnt ]]; then
  parent_unshares_mount || die "cannot tell whether the mount namespace is private; run me as: $usage"
elif [[ $outside_mnt == "$self_mnt" ]]; then
  die "not inside a private mount namespace; run me as: $usage"
fi

mount --make-rprivate /
# The source name "e2e-run" is what e2e/lib/cluster.ts looks for before writing there.
mount -t tmpfs -o mode=0755,size=64m e2e-run /run
# Debian: /var/run -> /run. Elsewhere /var/run may be a directory of its own.
if [[ $(readlink -f /var/run) != /run ]]; then
  mount -t tmpfs -o mode=0755,size=64m e2e-run /var/run
fi

ip link set lo up
ip addr add 10.244.0.1/24 dev lo # etcd, kube-apiserver, Prometheus (the "kubernetes" endpoint)
# Fake hosts of e2e/cluster.test.ts (see e2e/cluster/state.yaml):
#   .11 .12 nodes (kubelet :10250)   .21 .22 pods   .31 kube-state-metrics   .41 a Service endpoint
for a in 10.244.0.11 10.244.0.12 10.244.0.21 10.244.0.22 10.244.0.31 10.244.0.41; do
  ip addr add "$a/32" dev lo
done

export E2E_IN_NAMESPACE=1
exec "$@"
