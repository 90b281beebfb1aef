/** remote_write endpoints and agent mode: the rendered config, the Secret volumes and environment, the container flags. */
import { Duration, Size, Testing } from 'cdk8s';
import {
  AlertmanagerEndpoint, PrometheusMode, PrometheusRuleGroup, RelabelRule, RemoteWriteAuth, RemoteWriteEndpoint, RemoteWriteMessage,
  SecretKey, ServiceScrape,
} from '../src';
import { one, promConfig, schemaProblems, stack, synth } from './util';

const DIR = '/etc/prometheus/secrets';
const URL = 'https://metrics.example.com/api/v1/write';

function build(remoteWrite: RemoteWriteEndpoint[], props: object = {}) {
  const { chart, prometheus } = stack({ remoteWrite, ...props });
  new ServiceScrape(chart, 'svc', { prometheus });
  return { chart, prometheus, ms: synth(chart) };
}
const podSpec = (ms: ReturnType<typeof synth>) => one(ms, 'StatefulSet', 'prometheus').spec.template.spec;

describe('remote_write', () => {
  test('every field, rendered with Prometheus 3.16 key names', () => {
    const { ms } = build([{
      url: URL,
      name: 'central',
      remoteTimeout: Duration.seconds(10),
      headers: { 'X-Scope-OrgID': 'team-a' },
      writeRelabelings: [RelabelRule.drop({ sourceLabels: ['__name__'], regex: 'go_.*' })],
      queue: {
        capacity: 20000,
        minShards: 2,
        maxShards: 10,
        maxSamplesPerSend: 5000,
        batchSendDeadline: Duration.seconds(10),
        minBackoff: Duration.millis(100),
        maxBackoff: Duration.seconds(10),
        retryOnHttp429: true,
      },
      metadata: { send: false, sendInterval: Duration.minutes(2), maxSamplesPerSend: 500 },
      authorization: RemoteWriteAuth.basicAuth('writer', SecretKey.of('rw-creds', 'password')),
      tls: { ca: SecretKey.of('rw-tls', 'ca.crt') },
      protobufMessage: RemoteWriteMessage.V2,
    }]);
    expect(promConfig(ms).remote_write).toEqual([{
      url: URL,
      name: 'central',
      remote_timeout: '10s',
      headers: { 'X-Scope-OrgID': 'team-a' },
      protobuf_message: 'io.prometheus.write.v2.Request',
      write_relabel_configs: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }],
      basic_auth: { username: 'writer', password_file: `${DIR}/rw-creds/password` },
      tls_config: { ca_file: `${DIR}/rw-tls/ca.crt` },
      queue_config: {
        capacity: 20000,
        min_shards: 2,
        max_shards: 10,
        max_samples_per_send: 5000,
        batch_send_deadline: '10s',
        min_backoff: '100ms',
        max_backoff: '10s',
        retry_on_http_429: true,
      },
      metadata_config: { send: false, send_interval: '2m', max_samples_per_send: 500 },
    }]);
    expect(schemaProblems(ms)).toEqual([]);
  });

  test('a bare endpoint renders only its url; no remote_write without endpoints', () => {
    expect(promConfig(build([{ url: 'http://receiver:9090/api/v1/write' }]).ms).remote_write).toEqual([{ url: 'http://receiver:9090/api/v1/write' }]);
    expect(promConfig(build([]).ms).remote_write).toBeUndefined();
  });

  test('bearer token, OAuth2 and SigV4', () => {
    const { ms } = build([
      { url: URL, name: 'bearer', authorization: RemoteWriteAuth.bearerToken(SecretKey.of('rw-token', 'token')) },
      {
        url: URL,
        name: 'oauth2',
        authorization: RemoteWriteAuth.oauth2({
          clientId: 'prometheus',
          clientSecret: SecretKey.of('rw-oauth', 'client-secret'),
          tokenUrl: 'https://auth.example.com/token',
          scopes: ['metrics.write'],
          endpointParams: { audience: 'metrics' },
        }),
      },
      { url: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write', name: 'amp', authorization: RemoteWriteAuth.sigV4({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/prometheus' }) },
      { url: URL, name: 'amp-default', authorization: RemoteWriteAuth.sigV4() },
    ]);
    const rw = promConfig(ms).remote_write;
    expect(rw[0].authorization).toEqual({ type: 'Bearer', credentials_file: `${DIR}/rw-token/token` });
    expect(rw[1].oauth2).toEqual({
      client_id: 'prometheus',
      client_secret_file: `${DIR}/rw-oauth/client-secret`,
      token_url: 'https://auth.example.com/token',
      scopes: ['metrics.write'],
      endpoint_params: { audience: 'metrics' },
    });
    expect(rw[2].sigv4).toEqual({ region: 'eu-west-1', role_arn: 'arn:aws:iam::123456789012:role/prometheus' });
    expect(rw[3].sigv4).toEqual({});
    expect(podSpec(ms).containers[0].env).toBeUndefined();
  });

  test('the Secret volumes include every key remote_write reads, merged with the scrapes\' per Secret', () => {
    const { chart, prometheus } = stack({
      remoteWrite: [
        { url: URL, authorization: RemoteWriteAuth.bearerToken(SecretKey.of('shared', 'rw-token')), tls: { cert: SecretKey.of('rw-tls', 'tls.crt'), key: SecretKey.of('rw-tls', 'tls.key') } },
        { url: URL, name: 'b', authorization: RemoteWriteAuth.oauth2({ clientId: 'p', clientSecret: SecretKey.of('oauth', 'secret'), tokenUrl: 'https://a.example.com/t' }) },
      ],
    });
    new ServiceScrape(chart, 'svc', { prometheus, tls: { ca: SecretKey.of('shared', 'ca.crt') } });
    const pod = podSpec(synth(chart));
    expect(pod.volumes.filter((v: any) => v.secret)).toEqual([
      { name: 'secret-oauth', secret: { secretName: 'oauth', defaultMode: 0o440, items: [{ key: 'secret', path: 'secret' }] } },
      { name: 'secret-rw-tls', secret: { secretName: 'rw-tls', defaultMode: 0o440, items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }] } },
      { name: 'secret-shared', secret: { secretName: 'shared', defaultMode: 0o440, items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'rw-token', path: 'rw-token' }] } },
    ]);
    expect(pod.containers[0].volumeMounts.filter((m: any) => m.name.startsWith('secret-')).map((m: any) => m.mountPath))
      .toEqual([`${DIR}/oauth`, `${DIR}/rw-tls`, `${DIR}/shared`]);
  });

  test('static SigV4 keys reach the container as AWS SDK environment variables from the Secret, never the config', () => {
    const accessKey = SecretKey.of('aws', 'access-key-id');
    const secretKey = SecretKey.of('aws', 'secret-access-key');
    const { ms } = build([
      { url: URL, name: 'a', authorization: RemoteWriteAuth.sigV4({ region: 'us-east-1', accessKey, secretKey, profile: 'default' }) },
      { url: URL, name: 'b', authorization: RemoteWriteAuth.sigV4({ region: 'us-east-1', accessKey, secretKey }) },
    ]);
    expect(promConfig(ms).remote_write[0].sigv4).toEqual({ region: 'us-east-1', profile: 'default' });
    expect(podSpec(ms).containers[0].env).toEqual([
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'aws', key: 'access-key-id' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'aws', key: 'secret-access-key' } } },
    ]);
    expect(podSpec(ms).volumes.filter((v: any) => v.secret)).toEqual([]);
  });

  test('the endpoints are copied: changing the input afterwards changes nothing', () => {
    const headers: Record<string, string> = { 'X-Tenant': 'a' };
    const rules = [RelabelRule.labelDrop('tmp')];
    const endpoint = { url: URL, headers, writeRelabelings: rules };
    const { chart, prometheus } = stack({ remoteWrite: [endpoint] });
    new ServiceScrape(chart, 'svc', { prometheus });
    headers['X-Tenant'] = 'b';
    rules.push(RelabelRule.labelDrop('other'));
    (endpoint as any).url = 'ftp://x';
    const rw = promConfig(synth(chart)).remote_write[0];
    expect(rw).toEqual({ url: URL, headers: { 'X-Tenant': 'a' }, write_relabel_configs: [{ regex: 'tmp', action: 'labeldrop' }] });
  });
});

describe('agent mode', () => {
  const agent = (props: object = {}) => build([{ url: 'http://receiver:9090/api/v1/write' }], { mode: PrometheusMode.AGENT, ...props });

  test('runs --agent with the WAL on the persistent volume, no TSDB flags, no retention block; probes unchanged', () => {
    const { ms, prometheus } = agent();
    expect(prometheus.mode).toBe(PrometheusMode.AGENT);
    const sts = one(ms, 'StatefulSet', 'prometheus');
    const c = sts.spec.template.spec.containers[0];
    expect(c.args).toContain('--agent');
    expect(c.args).toContain('--storage.agent.path=/prometheus');
    expect(c.args.filter((a: string) => a.startsWith('--storage.tsdb'))).toEqual([]);
    expect(c.readinessProbe.httpGet.path).toBe('/-/ready');
    expect(c.livenessProbe.httpGet.path).toBe('/-/healthy');
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    const config = promConfig(ms);
    expect(config.storage).toBeUndefined();
    expect(config.rule_files).toBeUndefined();
    expect(config.alerting).toBeUndefined();
    expect(config.remote_write).toEqual([{ url: 'http://receiver:9090/api/v1/write' }]);
    expect(config.scrape_configs.map((j: any) => j.job_name)).toContain('prometheus');
    expect(schemaProblems(ms)).toEqual([]);
  });

  test('server mode is the default and keeps its flags', () => {
    const { ms, prometheus } = build([{ url: URL }]);
    expect(prometheus.mode).toBe(PrometheusMode.SERVER);
    const args = podSpec(ms).containers[0].args;
    expect(args).toContain('--storage.tsdb.path=/prometheus');
    expect(args).not.toContain('--agent');
    expect(promConfig(ms).storage.tsdb.retention.time).toBe('15d');
  });

  test('fails without remoteWrite, naming the stack', () => {
    expect(() => stack({ mode: PrometheusMode.AGENT })).toThrow(
      'test/prometheus: invalid mode "agent": an agent keeps no data of its own and forwards everything through remote_write: give at least one remoteWrite endpoint');
  });

  test('a rule group added later fails at construction, naming the group', () => {
    const { chart, prometheus } = agent();
    expect(() => new PrometheusRuleGroup(chart, 'rules', { prometheus })).toThrow(
      'test/rules: invalid prometheus "test/prometheus": that stack runs in agent mode, which evaluates no rules; evaluate them where the samples are written to, or use PrometheusMode.SERVER');
    expect(() => prometheus.addSelfMonitoringRules()).toThrow(/^test\/prometheus: invalid mode "agent": an agent evaluates no rules/);
    const kubelet = prometheus.addKubeletScrape('kubelet');
    expect(() => kubelet.addRules()).toThrow(/invalid prometheus "test\/prometheus": that stack runs in agent mode/);
  });

  test('retention, retentionSize and alertmanagers are refused', () => {
    expect(() => agent({ retention: Duration.days(1) })).toThrow(/^test\/prometheus: invalid retention 86400000ms: an agent has no TSDB/);
    expect(() => agent({ retentionSize: Size.gibibytes(1) })).toThrow(/^test\/prometheus: invalid retentionSize "1073741824 bytes": an agent has no TSDB/);
    expect(() => agent({ alertmanagers: [AlertmanagerEndpoint.addresses(['am:9093'])] })).toThrow(
      /^test\/prometheus: invalid alertmanagers "1 endpoint\(s\)": an agent evaluates no rules and sends no alerts/);
  });

  test('synthesizes with ephemeral storage too', () => {
    const { chart, prometheus } = stack({ mode: PrometheusMode.AGENT, remoteWrite: [{ url: URL }] });
    new ServiceScrape(chart, 'svc', { prometheus });
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});
