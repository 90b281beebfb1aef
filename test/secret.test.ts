/** Credentials from Kubernetes Secrets: the reference, the rendered file paths and the mounts the stack derives. */
import { Secret } from 'cdk8s-plus-27';
import { PodPortScrape, ScrapeAuthorization, SecretKey, ServiceScrape } from '../src';
import { job, objects, one, schemaProblems, stack, synth } from './util';

const DIR = '/etc/prometheus/secrets';

function statefulSet(ms: ReturnType<typeof synth>) {
  return one(ms, 'StatefulSet', 'prometheus').spec.template.spec;
}

describe('SecretKey', () => {
  test('a bearer token from a Secret: credentials_file under the secrets directory, the Secret mounted read-only', () => {
    const { chart, prometheus } = stack();
    new ServiceScrape(chart, 'svc', { prometheus, authorization: ScrapeAuthorization.bearerToken(SecretKey.of('team-a-token', 'token')) });
    const ms = synth(chart);
    expect(job(ms, 'kubernetes-services').authorization).toEqual({ type: 'Bearer', credentials_file: `${DIR}/team-a-token/token` });
    const pod = statefulSet(ms);
    expect(pod.volumes).toContainEqual({
      name: 'secret-team-a-token',
      secret: { secretName: 'team-a-token', defaultMode: 0o440, items: [{ key: 'token', path: 'token' }] },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'secret-team-a-token', mountPath: `${DIR}/team-a-token`, readOnly: true });
    expect(pod.containers[0].volumeMounts.every((m: any) => m.subPath === undefined)).toBe(true);
    expect(schemaProblems(ms)).toEqual([]);
  });

  test('basic auth and TLS from Secrets; one volume per Secret with exactly the referenced keys', () => {
    const { chart, prometheus } = stack();
    const creds = new Secret(chart, 'creds', { metadata: { name: 'scrape-creds' } });
    new ServiceScrape(chart, 'svc', {
      prometheus,
      authorization: ScrapeAuthorization.basicAuthFromSecret('prometheus', SecretKey.fromSecret(creds, 'password')),
      tls: { ca: SecretKey.of('scrape-creds', 'ca.crt'), cert: SecretKey.of('client-tls', 'tls.crt'), key: SecretKey.of('client-tls', 'tls.key') },
    });
    new PodPortScrape(chart, 'pods', { prometheus, authorization: ScrapeAuthorization.basicAuthFromSecret('other', SecretKey.of('scrape-creds', 'password')) });
    const ms = synth(chart);
    const j = job(ms, 'kubernetes-services');
    expect(j.basic_auth).toEqual({ username: 'prometheus', password_file: `${DIR}/scrape-creds/password` });
    expect(j.tls_config).toEqual({
      ca_file: `${DIR}/scrape-creds/ca.crt`,
      cert_file: `${DIR}/client-tls/tls.crt`,
      key_file: `${DIR}/client-tls/tls.key`,
    });
    const secretVolumes = statefulSet(ms).volumes.filter((v: any) => v.secret);
    expect(secretVolumes).toEqual([
      { name: 'secret-client-tls', secret: { secretName: 'client-tls', defaultMode: 0o440, items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }] } },
      { name: 'secret-scrape-creds', secret: { secretName: 'scrape-creds', defaultMode: 0o440, items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'password', path: 'password' }] } },
    ]);
  });

  test('no Secret volume without a reference, and never RBAC on Secrets', () => {
    const { chart, prometheus } = stack();
    new ServiceScrape(chart, 'svc', { prometheus, authorization: ScrapeAuthorization.bearerToken(SecretKey.of('t', 'token')) });
    const ms = synth(chart);
    const rules = [...objects(ms, 'ClusterRole'), ...objects(ms, 'Role')].flatMap(r => r.rules);
    expect(rules.some((r: any) => r.resources.includes('secrets'))).toBe(false);
    const plain = stack();
    new ServiceScrape(plain.chart, 'svc', { prometheus: plain.prometheus });
    expect(statefulSet(synth(plain.chart)).volumes.map((v: any) => v.name)).toEqual(['config']);
  });

  test('a Secret name with a dot gets a hashed volume name (a.b and a-b do not collide)', () => {
    const { chart, prometheus } = stack();
    new ServiceScrape(chart, 'svc', { prometheus, authorization: ScrapeAuthorization.bearerToken(SecretKey.of('a.b', 'k')) });
    new PodPortScrape(chart, 'pods', { prometheus, authorization: ScrapeAuthorization.bearerToken(SecretKey.of('a-b', 'k')) });
    const names = statefulSet(synth(chart)).volumes.filter((v: any) => v.secret).map((v: any) => v.name);
    expect(new Set(names).size).toBe(2);
    expect(names).toContain('secret-a-b');
    expect(names.find((n: string) => n !== 'secret-a-b')).toMatch(/^secret-[0-9a-f]{16}$/);
  });

  describe('fails', () => {
    const scrape = (props: object) => {
      const { chart, prometheus } = stack();
      return () => new ServiceScrape(chart, 'svc', { prometheus, ...props });
    };
    test.each([
      ['an invalid Secret name', { authorization: ScrapeAuthorization.bearerToken(SecretKey.of('Team_A', 'token')) },
        'test/svc: invalid authorization.secret.secretName "Team_A": a Secret name is a DNS-1123 subdomain'],
      ['an invalid key', { authorization: ScrapeAuthorization.bearerToken(SecretKey.of('t', 'a/b')) },
        'test/svc: invalid authorization.secret.key "a/b": a Secret key is at most 253 letters'],
      ['"." as a key', { tls: { ca: SecretKey.of('t', '.') } }, 'test/svc: invalid tls.ca.key ".": a Secret key'],
      ['a cert without its key', { tls: { cert: SecretKey.of('t', 'tls.crt') } },
        'test/svc: invalid tls.cert "tls.crt": a client certificate from a Secret needs both cert and key'],
      ['a file and a Secret for the CA', { tls: { caFile: '/etc/ca.crt', ca: SecretKey.of('t', 'ca.crt') } },
        'test/svc: invalid tls.caFile "/etc/ca.crt": give either caFile or ca (a Secret key), not both'],
      ['cert and key from one Secret key', { tls: { cert: SecretKey.of('t', 'both'), key: SecretKey.of('t', 'both') } },
        'test/svc: invalid tls.key "both": the client certificate and its key are two different Secret keys'],
      ['a string where a SecretKey is required', { tls: { ca: 'ca.crt' as any } },
        'test/svc: invalid tls.ca "ca.crt": use SecretKey.of(secretName, key) or SecretKey.fromSecret(secret, key)'],
    ])('%s', (_, props, message) => {
      expect(scrape(props)).toThrow(message);
    });
  });
});
