import { createHash } from 'crypto';
import { Duration } from 'cdk8s';
import { parse } from 'yaml';
import {
  BLACKBOX_EXPORTER_IMAGE, BlackboxExporter, BlackboxModule, BlackboxProber, HttpMethod, IpProtocol, ServiceProbe,
} from '../src';
import { Manifest, one, RESTRICTED_CONTAINER_CONTEXT, RESTRICTED_POD_CONTEXT, schemaProblems, stack, synth } from './util';

const bbObjects = (ms: Manifest[]) => ms.filter(m => m.metadata.labels?.['app.kubernetes.io/name'] === 'blackbox-exporter');
const blackboxYml = (ms: Manifest[], name = 'blackbox'): any => parse(one(ms, 'ConfigMap', `${name}-config`).data['blackbox.yml']);

/** A stack with an exporter; a probe gives the stack its required scrape job. */
function withExporter(props: Partial<ConstructorParameters<typeof BlackboxExporter>[2]> = {}, namespace?: string) {
  const s = stack({}, namespace);
  const blackboxExporter = new BlackboxExporter(s.chart, 'blackbox', { prometheus: s.prometheus, ...props });
  new ServiceProbe(s.chart, 'probes', { prometheus: s.prometheus, blackboxExporter, module: blackboxExporter.modules[0] });
  return { ...s, blackboxExporter };
}

describe('BlackboxExporter', () => {
  const { chart, blackboxExporter } = withExporter();
  const ms = synth(chart);

  test('snapshot and schema', () => {
    expect(bbObjects(ms)).toMatchSnapshot();
    expect(schemaProblems(ms)).toEqual([]);
    expect(bbObjects(ms).map(m => m.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'NetworkPolicy', 'Service', 'ServiceAccount']);
  });

  test('http_2xx and tcp_connect by default, IPv4 first', () => {
    expect(blackboxYml(ms)).toEqual({
      modules: {
        http_2xx: { prober: 'http', http: { preferred_ip_protocol: 'ip4' } },
        tcp_connect: { prober: 'tcp', tcp: { preferred_ip_protocol: 'ip4' } },
      },
    });
    expect(blackboxExporter.modules.map(m => [m.name, m.prober])).toEqual([
      ['http_2xx', BlackboxProber.HTTP], ['tcp_connect', BlackboxProber.TCP],
    ]);
    expect(blackboxExporter.address).toBe('blackbox.monitoring.svc:9115');
  });

  test('a pinned image, restricted pod security, probes and resources, no token', () => {
    const pod = one(ms, 'Deployment', 'blackbox').spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe(BLACKBOX_EXPORTER_IMAGE);
    expect(c.image).toBe('quay.io/prometheus/blackbox-exporter:v0.28.0');
    expect(pod.securityContext).toEqual(RESTRICTED_POD_CONTEXT);
    expect(c.securityContext).toEqual(RESTRICTED_CONTAINER_CONTEXT);
    expect(pod.hostNetwork).toBeUndefined();
    expect(c.readinessProbe.httpGet).toEqual({ path: '/-/healthy', port: 'http' });
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(c.resources).toEqual({
      requests: { 'cpu': '10m', 'memory': '32Mi', 'ephemeral-storage': '16Mi' },
      limits: { 'cpu': '100m', 'memory': '64Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(c.args).toEqual(['--config.file=/etc/blackbox_exporter/blackbox.yml', '--web.listen-address=:9115']);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 9115, protocol: 'TCP' }]);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('blackbox');
    expect(one(ms, 'ServiceAccount', 'blackbox').automountServiceAccountToken).toBe(false);
  });

  test('config mounted as a directory; its checksum on the pod template rolls the pod without a gap', () => {
    const dep = one(ms, 'Deployment', 'blackbox');
    const pod = dep.spec.template.spec;
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'config', mountPath: '/etc/blackbox_exporter', readOnly: true }]);
    expect(pod.containers[0].volumeMounts[0].subPath).toBeUndefined();
    expect(pod.volumes).toEqual([{ name: 'config', configMap: { name: 'blackbox-config' } }]);
    const cm = one(ms, 'ConfigMap', 'blackbox-config');
    const sha = createHash('sha256').update(cm.data['blackbox.yml']).digest('hex');
    expect(blackboxExporter.configHash).toBe(sha);
    expect(dep.spec.template.metadata.annotations).toEqual({ 'prometheus.cdk8s.io/config-hash': sha });
    expect(cm.metadata.annotations).toEqual({ 'prometheus.cdk8s.io/config-hash': sha });
    expect(dep.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });

    const other = synth(withExporter({ modules: [BlackboxModule.http2xx()] }).chart);
    expect(one(other, 'Deployment', 'blackbox').spec.template.metadata.annotations['prometheus.cdk8s.io/config-hash']).not.toBe(sha);
  });

  test('a ClusterIP Service with port http 9115', () => {
    const svc = one(ms, 'Service', 'blackbox');
    expect(svc.spec).toEqual({
      type: 'ClusterIP',
      selector: one(ms, 'Deployment', 'blackbox').spec.selector.matchLabels,
      ports: [{ name: 'http', port: 9115, targetPort: 'http', protocol: 'TCP' }],
    });
  });

  test('a NetworkPolicy admits only the Prometheus pods, egress open', () => {
    const np = one(ms, 'NetworkPolicy', 'blackbox');
    expect(np.spec.podSelector).toEqual(one(ms, 'Deployment', 'blackbox').spec.selector);
    expect(np.spec.ingress).toEqual([{
      ports: [{ port: 9115, protocol: 'TCP' }],
      from: [{ podSelector: { matchLabels: one(ms, 'StatefulSet', 'prometheus').spec.selector.matchLabels } }],
    }]);
    expect(np.spec.egress).toEqual([{}]);
  });

  test('in another namespace than Prometheus, the NetworkPolicy names the Prometheus namespace', () => {
    const s = withExporter({ namespace: 'probes', name: 'bbx' });
    const out = synth(s.chart);
    const np = one(out, 'NetworkPolicy', 'bbx');
    expect(np.metadata.namespace).toBe('probes');
    expect(np.spec.ingress[0].from).toEqual([{
      podSelector: { matchLabels: s.prometheus.selectorLabels },
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    }]);
    expect(s.blackboxExporter.address).toBe('bbx.probes.svc:9115');
    expect(schemaProblems(out)).toEqual([]);
  });

  test('custom modules render once, in blackbox.yml keys, sorted by name', () => {
    const { chart: c } = withExporter({
      modules: [
        BlackboxModule.tcp({ name: 'tls_connect', tls: true, timeout: Duration.seconds(5) }),
        BlackboxModule.http({
          name: 'http_post',
          method: HttpMethod.POST,
          validStatusCodes: [200, 204],
          headers: { 'X-Probe': 'yes' },
          body: '{"a":1}',
          followRedirects: false,
          failIfNotSsl: true,
          failIfBodyMatches: ['error'],
          failIfBodyNotMatches: ['ok|OK'],
          insecureSkipVerify: true,
          timeout: Duration.millis(2500),
          preferredIpProtocol: IpProtocol.IP6,
        }),
      ],
    });
    const out = synth(c);
    const cm = one(out, 'ConfigMap', 'blackbox-config').data['blackbox.yml'];
    expect(cm).toMatchSnapshot();
    expect(parse(cm)).toEqual({
      modules: {
        http_post: {
          prober: 'http',
          timeout: '2500ms',
          http: {
            method: 'POST',
            valid_status_codes: [200, 204],
            headers: { 'X-Probe': 'yes' },
            body: '{"a":1}',
            follow_redirects: false,
            fail_if_not_ssl: true,
            fail_if_body_matches_regexp: ['error'],
            fail_if_body_not_matches_regexp: ['ok|OK'],
            preferred_ip_protocol: 'ip6',
            tls_config: { insecure_skip_verify: true },
          },
        },
        tls_connect: { prober: 'tcp', timeout: '5s', tcp: { preferred_ip_protocol: 'ip4', tls: true } },
      },
    });
  });

  test('modules are copied: later changes by the caller do not leak in', () => {
    const codes = [200];
    const m = BlackboxModule.http({ name: 'http_200', validStatusCodes: codes });
    const { blackboxExporter: bb } = withExporter({ modules: [m] });
    codes.push(500);
    expect(parse(bb.renderConfig()).modules.http_200.http.valid_status_codes).toEqual([200]);
    const list = bb.modules;
    list.pop();
    expect(bb.modules).toHaveLength(1);
  });

  describe('fails', () => {
    const make = (props: object) => {
      const s = stack();
      return new BlackboxExporter(s.chart, 'blackbox', { prometheus: s.prometheus, ...props });
    };

    test('fails if the module list is empty', () => {
      expect(() => make({ modules: [] }))
        .toThrow(/^test\/blackbox: invalid modules \[\]: give at least one module, or leave it out for http_2xx and tcp_connect$/);
    });

    test('fails if two modules share a name', () => {
      expect(() => make({ modules: [BlackboxModule.http2xx(), BlackboxModule.tcp({ name: 'http_2xx' })] }))
        .toThrow(/^test\/blackbox: invalid modules\[1\]\.name "http_2xx": module name already used by modules\[0\]$/);
    });

    test('fails if a module name has a space', () => {
      expect(() => make({ modules: [BlackboxModule.http({ name: 'http 2xx' })] }))
        .toThrow(/^test\/blackbox: invalid modules\[0\]\.name "http 2xx": a module name is a non-empty string of letters, digits/);
    });

    test('fails if a status code is out of range', () => {
      expect(() => make({ modules: [BlackboxModule.http({ name: 'h', validStatusCodes: [200, 2000] })] }))
        .toThrow(/^test\/blackbox: invalid modules\[0\]\.validStatusCodes\[1\] 2000: an HTTP status code is a whole number between 100 and 599$/);
    });

    test('fails if the status code list is empty', () => {
      expect(() => make({ modules: [BlackboxModule.http({ name: 'h', validStatusCodes: [] })] }))
        .toThrow(/^test\/blackbox: invalid modules\[0\]\.validStatusCodes \[\]: give at least one status code/);
    });

    test('fails if a body regex is not RE2', () => {
      expect(() => make({ modules: [BlackboxModule.http({ name: 'h', failIfBodyNotMatches: ['(?=ok)'] })] }))
        .toThrow(/^test\/blackbox: invalid modules\[0\]\.failIfBodyNotMatches\[0\] "\(\?=ok\)": not a valid RE2 regular expression/);
    });

    test('fails if a header name is invalid', () => {
      expect(() => make({ modules: [BlackboxModule.http({ name: 'h', headers: { 'X Probe': 'a' } })] }))
        .toThrow(/^test\/blackbox: invalid modules\[0\]\.headers "X Probe": not a valid HTTP header name$/);
    });

    test('fails if a header value spans lines', () => {
      expect(() => make({ modules: [BlackboxModule.http({ name: 'h', headers: { 'X-Probe': 'a\nb' } })] }))
        .toThrow(/^test\/blackbox: invalid modules\[0\]\.headers\.X-Probe "a\\nb": a header value is a single-line string$/);
    });

    test('fails if both failIfSsl and failIfNotSsl are set', () => {
      expect(() => make({ modules: [BlackboxModule.http({ name: 'h', failIfSsl: true, failIfNotSsl: true })] }))
        .toThrow(/^test\/blackbox: invalid modules\[0\]\.failIfSsl true: failIfSsl and failIfNotSsl together fail every probe/);
    });

    test('fails if a module timeout is zero', () => {
      expect(() => make({ modules: [BlackboxModule.tcp({ name: 't', timeout: Duration.seconds(0) })] }))
        .toThrow(/^test\/blackbox: invalid modules\[0\]\.timeout 0ms: must be a positive whole number of milliseconds$/);
    });

    test('fails if the HTTP method is unknown', () => {
      expect(() => make({ modules: [BlackboxModule.http({ name: 'h', method: 'FETCH' as HttpMethod })] }))
        .toThrow(/^test\/blackbox: invalid modules\[0\]\.method "FETCH": unknown HTTP method; one of GET, HEAD/);
    });

    test('fails if a module is not a BlackboxModule', () => {
      expect(() => make({ modules: [{ name: 'http_2xx' }] }))
        .toThrow(/^test\/blackbox: invalid modules\[0\] \{"name":"http_2xx"\}: must be a BlackboxModule/);
    });

    test('fails if the namespace is not a DNS label', () => {
      expect(() => make({ namespace: 'Probes' }))
        .toThrow(/^test\/blackbox: invalid namespace "Probes": must be a lowercase RFC 1123 label/);
    });

    test('fails if the name is not a DNS label', () => {
      expect(() => make({ name: 'Blackbox' }))
        .toThrow(/^test\/blackbox: invalid name "Blackbox": must be a lowercase RFC 1035 label/);
    });

    test('fails if prometheus is not a PrometheusStack', () => {
      const s = stack();
      expect(() => new BlackboxExporter(s.chart, 'blackbox', { prometheus: {} as any }))
        .toThrow(/^test\/blackbox: invalid prometheus "\[object Object\]": must be a PrometheusStack$/);
    });
  });
});
