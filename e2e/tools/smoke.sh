#!/usr/bin/env bash
# Smoke test for the binaries from build.sh: inside a private network namespace
# (`unshare -n`, lo carries 10.244.0.1/24, nothing can reach the host network)
# start etcd and kube-apiserver, wait for /readyz, check /version, create a
# ServiceAccount token and an EndpointSlice with kubectl, then start Prometheus
# with kubernetes_sd_configs (role: endpointslice) and wait until it discovers
# the slice's target. Every process started here is stopped on exit.
#
# Needs root (unshare -n), openssl, curl, ip. Usage: e2e/tools/smoke.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
eval "$("$here/build.sh")"
export PROMETHEUS PROMTOOL KUBE_APISERVER KUBECTL ETCD KUBE_SCORE

W=$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-prom-smoke.XXXXXX")
trap 'rm -rf "$W"' EXIT
export W

# The part below runs inside the new network namespace.
read -r -d '' inner <<'NETNS' || true
ADDR=10.244.0.1
ip link set lo up
ip addr add "$ADDR/24" dev lo
cd "$W"

pids=()
stop_all() {
  local rc=$? i t0
  t0=$(ms)
  # Reverse start order: Prometheus, then the API server (while etcd is still
  # there, so that it shuts down quickly), then etcd.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  echo "smoke: stopped ${#pids[@]} processes in $(($(ms) - t0)) ms" >&2
  if ((rc != 0)); then
    for f in etcd.log apiserver.log prometheus.log; do
      [[ -f $f ]] && { echo "--- tail $f"; tail -n 25 "$f"; }
    done >&2
  fi
  return "$rc"
}
trap stop_all EXIT
wait_for() { # $1 = seconds, rest = command
  local t=$1 i; shift
  for ((i = 0; i < t * 5; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "timed out: $*" >&2; return 1
}
ms() { date +%s%3N; }

# --- PKI -----------------------------------------------------------------------
mkdir pki && cd pki
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=e2e-ca" -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout apiserver.key -out apiserver.csr 2>/dev/null
openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -out apiserver.crt \
  -extfile <(printf "subjectAltName=IP:%s,IP:10.96.0.1,DNS:kubernetes.default.svc,DNS:localhost\nextendedKeyUsage=serverAuth" "$ADDR") 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=e2e-admin" -keyout admin.key -out admin.csr 2>/dev/null
openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -out admin.crt \
  -extfile <(printf "extendedKeyUsage=clientAuth") 2>/dev/null
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
cd ..
P=$W/pki

# --- etcd ------------------------------------------------------------------------
t0=$(ms)
"$ETCD" --name e2e --data-dir "$W/etcd" \
  --listen-client-urls "http://$ADDR:2379" --advertise-client-urls "http://$ADDR:2379" \
  --listen-peer-urls "http://$ADDR:2380" --initial-advertise-peer-urls "http://$ADDR:2380" \
  --initial-cluster "e2e=http://$ADDR:2380" \
  --unsafe-no-fsync --quota-backend-bytes=268435456 >etcd.log 2>&1 &
pids+=($!)
wait_for 30 curl -fsS "http://$ADDR:2379/health"
echo "smoke: etcd healthy after $(($(ms) - t0)) ms: $(curl -fsS "http://$ADDR:2379/version")" >&2

# --- kube-apiserver ---------------------------------------------------------------
t0=$(ms)
"$KUBE_APISERVER" \
  --etcd-servers="http://$ADDR:2379" \
  --bind-address="$ADDR" --advertise-address="$ADDR" --secure-port=6443 \
  --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" \
  --client-ca-file="$P/ca.crt" \
  --service-account-issuer="https://$ADDR:6443" \
  --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" \
  --authorization-mode=Node,RBAC \
  --service-cluster-ip-range=10.96.0.0/24 \
  --disable-admission-plugins=ServiceAccount \
  --allow-privileged=true \
  --cert-dir="$W/apiserver-certs" \
  --profiling=false >apiserver.log 2>&1 &
pids+=($!)
C=(curl -fsS --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key")
wait_for 90 "${C[@]}" "https://$ADDR:6443/readyz"
echo "smoke: kube-apiserver /readyz ok after $(($(ms) - t0)) ms" >&2
"${C[@]}" "https://$ADDR:6443/version" | grep -q '"gitVersion": "v1.35' || { echo "unexpected /version" >&2; exit 1; }
echo "smoke: /version: $("${C[@]}" "https://$ADDR:6443/version" | tr -d ' \n')" >&2

# --- kubectl ------------------------------------------------------------------------
export KUBECONFIG=$W/admin.kubeconfig
"$KUBECTL" config set-cluster e2e --server="https://$ADDR:6443" --certificate-authority="$P/ca.crt" --embed-certs >/dev/null
"$KUBECTL" config set-credentials admin --client-certificate="$P/admin.crt" --client-key="$P/admin.key" --embed-certs >/dev/null
"$KUBECTL" config set-context e2e --cluster=e2e --user=admin >/dev/null
"$KUBECTL" config use-context e2e >/dev/null
"$KUBECTL" version >&2
"$KUBECTL" create namespace monitoring >/dev/null
"$KUBECTL" -n monitoring create serviceaccount prometheus >/dev/null
"$KUBECTL" create clusterrole prom-sd --verb=get,list,watch \
  --resource=nodes,services,endpoints,pods,endpointslices.discovery.k8s.io,ingresses.networking.k8s.io >/dev/null
"$KUBECTL" create clusterrolebinding prom-sd --clusterrole=prom-sd --serviceaccount=monitoring:prometheus >/dev/null
"$KUBECTL" -n monitoring create token prometheus --duration=1h >prom.token
"$KUBECTL" create namespace demo >/dev/null
"$KUBECTL" apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: demo}
spec: {ports: [{name: metrics, port: 9100}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ext-1, namespace: demo, labels: {kubernetes.io/service-name: ext}}
addressType: IPv4
ports: [{name: metrics, port: 9100, protocol: TCP}]
endpoints: [{addresses: [10.244.0.31], conditions: {ready: true}}]
EOF
# Pod Security admission is built in: a privileged pod in a "restricted" namespace is refused.
"$KUBECTL" label namespace demo pod-security.kubernetes.io/enforce=restricted >/dev/null
if "$KUBECTL" -n demo apply -f - >/dev/null 2>psa.err <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: bad, namespace: demo}
spec: {containers: [{name: c, image: x/y:1, securityContext: {privileged: true}}]}
EOF
then
  echo "Pod Security admission did not reject a privileged pod" >&2; exit 1
fi
grep -q 'violates PodSecurity "restricted' psa.err || { cat psa.err >&2; exit 1; }
echo "smoke: kubectl ok (ns, sa, rbac, token, endpointslice; PSA rejects privileged pod)" >&2

# --- prometheus with kubernetes_sd_configs ---------------------------------------------
cat >prometheus.yml <<EOF
global: {scrape_interval: 5s}
scrape_configs:
  - job_name: k8s-endpointslices
    kubernetes_sd_configs:
      - role: endpointslice
        api_server: https://$ADDR:6443
        tls_config: {ca_file: $P/ca.crt}
        authorization: {type: Bearer, credentials_file: $W/prom.token}
        namespaces: {names: [demo]}
EOF
"$PROMTOOL" check config prometheus.yml >&2
t0=$(ms)
"$PROMETHEUS" --config.file=prometheus.yml --storage.tsdb.path="$W/tsdb" \
  --web.listen-address="$ADDR:9090" >prometheus.log 2>&1 &
pids+=($!)
has_target() { curl -fsS "http://$ADDR:9090/api/v1/targets" | grep -q '"__address__":"10.244.0.31:9100"'; }
wait_for 60 has_target
echo "smoke: prometheus discovered 10.244.0.31:9100 via endpointslice SD after $(($(ms) - t0)) ms" >&2
echo "smoke: OK" >&2
NETNS

unshare -n -- bash -euo pipefail -c "$inner"
