import { Duration, Size, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Alertmanager, AlertmanagerEndpoint, AlertMatcher, SecretKey } from '../src';
import { objects, one, promConfig, RESTRICTED_CONTAINER_CONTEXT, RESTRICTED_POD_CONTEXT, schemaProblems, stack, synth } from './util';

const M = AlertMatcher;

function setup(props: object = {}, stackProps: object = {}) {
  const { chart: c, prometheus } = stack(stackProps as any);
  prometheus.addKubeletScrape('kubelet');
  const am = prometheus.addAlertmanager('alertmanager', {
    route: { receiver: 'default' },
    receivers: [{ name: 'default', webhooks: [{ url: 'http://hook.monitoring.svc:8080/' }] }],
    ...props,
  } as any);
  return { chart: c, prometheus, am };
}

describe('Alertmanager', () => {
  test('one replica: StatefulSet with a volume, probes, restricted pod, no cluster; snapshot', () => {
    const { chart: c } = setup();
    const ms = synth(c);
    expect(schemaProblems(ms)).toEqual([]);
    const sts = one(ms, 'StatefulSet', 'alertmanager');
    const pod = sts.spec.template.spec;
    const container = pod.containers[0];
    expect(container.args).toEqual([
      '--config.file=/etc/alertmanager/config/alertmanager.yml',
      '--storage.path=/alertmanager',
      '--data.retention=120h',
      '--web.listen-address=:9093',
      '--cluster.listen-address=',
    ]);
    expect(container.securityContext).toEqual(RESTRICTED_CONTAINER_CONTEXT);
    expect(pod.securityContext).toEqual({ ...RESTRICTED_POD_CONTEXT, fsGroup: 65534, fsGroupChangePolicy: 'OnRootMismatch' });
    expect(container.readinessProbe.httpGet.path).toBe('/-/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/-/healthy');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1024Mi');
    expect(objects(ms, 'PodDisruptionBudget').filter(p => p.metadata.name === 'alertmanager')).toEqual([]);
    // The checksum of the config is on the pod template: a change rolls the pods.
    const cm = one(ms, 'ConfigMap', 'alertmanager-config');
    expect(sts.spec.template.metadata.annotations['prometheus.cdk8s.io/config-hash']).toBe(cm.metadata.annotations['prometheus.cdk8s.io/config-hash']);
    expect(objects(ms, 'Service').filter(s => s.metadata.name.startsWith('alertmanager')).map(s => [s.metadata.name, s.spec.clusterIP ?? 'ClusterIP'])).toEqual([
      ['alertmanager', 'ClusterIP'], ['alertmanager-headless', 'None'],
    ]);
    expect(ms.filter(m => m.metadata.name.startsWith('alertmanager'))).toMatchSnapshot();
  });

  test('three replicas: a gossip cluster with every peer, a PDB, soft anti-affinity, cluster port from peers only', () => {
    const { chart: c } = setup({ replicas: 3, allowFromNamespaces: ['ops'] });
    const ms = synth(c);
    expect(schemaProblems(ms)).toEqual([]);
    const sts = one(ms, 'StatefulSet', 'alertmanager');
    const args: string[] = sts.spec.template.spec.containers[0].args;
    expect(args.filter(a => a.startsWith('--cluster.'))).toEqual([
      '--cluster.listen-address=0.0.0.0:9094',
      '--cluster.advertise-address=$(POD_IP):9094',
      '--cluster.peer=alertmanager-0.alertmanager-headless.monitoring.svc:9094',
      '--cluster.peer=alertmanager-1.alertmanager-headless.monitoring.svc:9094',
      '--cluster.peer=alertmanager-2.alertmanager-headless.monitoring.svc:9094',
    ]);
    expect(sts.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(one(ms, 'PodDisruptionBudget', 'alertmanager').spec.minAvailable).toBe(1);
    const np = one(ms, 'NetworkPolicy', 'alertmanager');
    expect(np.spec.ingress).toEqual([
      {
        ports: [{ port: 9093, protocol: 'TCP' }],
        from: [
          { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'prometheus' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } },
        ],
      },
      {
        ports: [{ port: 9094, protocol: 'TCP' }, { port: 9094, protocol: 'UDP' }],
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'alertmanager', 'app.kubernetes.io/instance': 'alertmanager' } } }],
      },
    ]);
    expect(np.spec.egress).toEqual([{}]);
    const headless = one(ms, 'Service', 'alertmanager-headless');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.ports.map((p: any) => `${p.name}/${p.protocol}`)).toEqual(['web/TCP', 'cluster-tcp/TCP', 'cluster-udp/UDP']);
  });

  test('Prometheus sends to every replica through discovery of the headless Service, and scrapes them', () => {
    const { chart: c } = setup({ replicas: 2 }, {
      replicas: 2, alertmanagers: [AlertmanagerEndpoint.addresses(['external-am.example.org:9093'])],
    });
    const ms = synth(c);
    const cfg = promConfig(ms);
    expect(cfg.alerting).toEqual({
      alert_relabel_configs: [{ action: 'labeldrop', regex: 'replica' }],
      alertmanagers: [
        { scheme: 'http', static_configs: [{ targets: ['external-am.example.org:9093'] }] },
        {
          scheme: 'http',
          kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: ['monitoring'] } }],
          relabel_configs: [{
            source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'],
            regex: 'alertmanager-headless;web',
            action: 'keep',
          }],
        },
      ],
    });
    const job = cfg.scrape_configs.find((j: any) => j.job_name === 'alertmanager');
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'endpointslice', namespaces: { names: ['monitoring'] } }]);
    expect(job.relabel_configs[0]).toEqual({
      source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'],
      regex: 'alertmanager;web',
      action: 'keep',
    });
    // The discovery's RBAC: the Role in the Alertmanager's namespace lists EndpointSlices.
    const role = one(ms, 'Role', 'prometheus');
    expect(role.rules).toEqual(expect.arrayContaining([
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]));
  });

  test('an Alertmanager in another namespace: RBAC there, NetworkPolicy admits the Prometheus namespace', () => {
    const { chart: c, prometheus } = stack();
    prometheus.addKubeletScrape('kubelet');
    new Alertmanager(c, 'am', { prometheus, namespace: 'alerting', route: { receiver: 'x' }, receivers: [{ name: 'x' }] });
    const ms = synth(c);
    expect(objects(ms, 'Role').map(r => r.metadata.namespace)).toContain('alerting');
    expect(promConfig(ms).alerting.alertmanagers[0].kubernetes_sd_configs[0].namespaces.names).toEqual(['alerting']);
    expect(one(ms, 'NetworkPolicy', 'am').spec.ingress[0].from[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } });
  });

  test('receiveAlerts: false keeps it out of alerting', () => {
    const { chart: c } = setup({ receiveAlerts: false });
    expect(promConfig(synth(c)).alerting).toBeUndefined();
  });

  test('renders the route tree, every integration with *_file secrets, inhibit rules, time intervals, templates', () => {
    const { chart: c, am } = setup({
      global: { resolveTimeout: Duration.minutes(10), smtpSmarthost: 'smtp.example.org:587', smtpFrom: 'am@example.org', smtpAuthPassword: SecretKey.of('smtp', 'password') },
      route: {
        receiver: 'default',
        groupBy: ['alertname', 'namespace'],
        groupWait: Duration.seconds(30),
        groupInterval: Duration.minutes(5),
        repeatInterval: Duration.hours(4),
        routes: [
          { matchers: [M.equal('team', 'db'), M.regex('severity', 'critical|page')], receiver: 'db', continueMatching: true, muteTimeIntervals: ['night'] },
          { matchers: [M.notEqual('team', 'db'), M.notRegex('env', 'dev.*'), M.equal('app.kubernetes.io/name', 'say "hi"')], receiver: 'chat', groupBy: ['...'], activeTimeIntervals: ['night'] },
        ],
      },
      receivers: [
        { name: 'default', webhooks: [{ urlSecret: SecretKey.of('hook', 'url'), bearerToken: SecretKey.of('hook', 'token'), maxAlerts: 5, timeout: Duration.seconds(10), sendResolved: true }], emails: [{ to: 'ops@example.org' }] },
        { name: 'db', pagerDuty: [{ routingKey: SecretKey.of('pd', 'key'), severity: 'critical' }, { serviceKey: SecretKey.of('pd', 'v1') }], opsgenie: [{ apiKey: SecretKey.of('og', 'key'), priority: 'P1' }] },
        { name: 'chat', slack: [{ apiUrl: SecretKey.of('slack', 'url'), channel: '#alerts' }], msTeams: [{ webhookUrl: SecretKey.of('teams', 'url') }] },
      ],
      inhibitRules: [{ sourceMatchers: [M.equal('severity', 'critical')], targetMatchers: [M.equal('severity', 'warning')], equal: ['alertname', 'namespace'] }],
      timeIntervals: [{ name: 'night', periods: [{ times: [{ startTime: '22:00', endTime: '24:00' }], weekdays: ['monday:friday'], location: 'Europe/Berlin' }] }],
      templates: [{ name: 'team.tmpl', content: '{{ define "team.title" }}{{ .CommonLabels.team }}{{ end }}' }],
    });
    const cfg = parse(am.renderConfig());
    expect(cfg.global).toEqual({
      resolve_timeout: '10m', smtp_smarthost: 'smtp.example.org:587', smtp_from: 'am@example.org', smtp_auth_password_file: '/etc/alertmanager/secrets/smtp/password',
    });
    expect(cfg.templates).toEqual(['/etc/alertmanager/config/*.tmpl']);
    expect(cfg.route.routes[0]).toEqual({ receiver: 'db', continue: true, matchers: ['team="db"', 'severity=~"critical|page"'], mute_time_intervals: ['night'] });
    expect(cfg.route.routes[1].matchers).toEqual(['team!="db"', 'env!~"dev.*"', '"app.kubernetes.io/name"="say \\"hi\\""']);
    expect(cfg.route.routes[1].group_by).toEqual(['...']);
    expect(cfg.receivers[0].webhook_configs).toEqual([{
      send_resolved: true,
      url_file: '/etc/alertmanager/secrets/hook/url',
      max_alerts: 5,
      timeout: '10s',
      http_config: { authorization: { type: 'Bearer', credentials_file: '/etc/alertmanager/secrets/hook/token' } },
    }]);
    expect(cfg.receivers[1].pagerduty_configs).toEqual([
      { routing_key_file: '/etc/alertmanager/secrets/pd/key', severity: 'critical' },
      { service_key_file: '/etc/alertmanager/secrets/pd/v1' },
    ]);
    expect(cfg.receivers[2].msteamsv2_configs).toEqual([{ webhook_url_file: '/etc/alertmanager/secrets/teams/url' }]);
    expect(cfg.inhibit_rules).toEqual([{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace'] }]);
    expect(cfg.time_intervals[0].time_intervals[0]).toEqual({ times: [{ start_time: '22:00', end_time: '24:00' }], weekdays: ['monday:friday'], location: 'Europe/Berlin' });
    // No secret value anywhere, only files; each Secret mounted once, only its keys.
    const ms = synth(c);
    const pod = one(ms, 'StatefulSet', 'alertmanager').spec.template.spec;
    expect(pod.volumes.filter((v: any) => v.secret).map((v: any) => [v.secret.secretName, v.secret.items.map((i: any) => i.key)])).toEqual([
      ['hook', ['token', 'url']], ['og', ['key']], ['pd', ['key', 'v1']], ['slack', ['url']], ['smtp', ['password']], ['teams', ['url']],
    ]);
    expect(pod.containers[0].volumeMounts.filter((m: any) => m.name.startsWith('secret-')).every((m: any) => m.readOnly && !m.subPath)).toBe(true);
    const cm = one(ms, 'ConfigMap', 'alertmanager-config');
    expect(Object.keys(cm.data)).toEqual(['alertmanager.yml', 'team.tmpl']);
  });

  test('options: ephemeral storage, retention, external URL, image, resources', () => {
    const { chart: c } = setup({
      persistentStorage: false,
      storageSize: Size.mebibytes(512),
      retention: Duration.days(10),
      externalUrl: 'https://alerts.example.org/',
      image: 'example.org/am:1',
      jobName: 'am',
    });
    const ms = synth(c);
    const sts = one(ms, 'StatefulSet', 'alertmanager');
    expect(sts.spec.volumeClaimTemplates).toBeUndefined();
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '512Mi' } });
    expect(sts.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--data.retention=240h', '--web.external-url=https://alerts.example.org/']));
    expect(sts.spec.template.spec.containers[0].image).toBe('example.org/am:1');
    expect(promConfig(ms).scrape_configs.map((j: any) => j.job_name)).toContain('am');
  });

  test('a config change changes the checksum on the pod template (a rollout)', () => {
    const a = setup().am.configHash;
    const b = setup({ route: { receiver: 'default', groupWait: Duration.seconds(10) } }).am.configHash;
    expect(a).not.toEqual(b);
    expect(setup().am.configHash).toEqual(a);
  });

  test('built-in rules: reload failed, notifications failing, cluster members missing with replicas', () => {
    const one1 = setup().am.addRules();
    expect(one1.rules.map(r => r.name)).toEqual(['AlertmanagerConfigReloadFailed', 'AlertmanagerNotificationsFailing']);
    const { am } = setup({ replicas: 2 });
    const g = am.addRules();
    expect(g.groupName).toBe('alertmanager');
    expect(g.rules.map(r => r.name)).toEqual(['AlertmanagerConfigReloadFailed', 'AlertmanagerNotificationsFailing', 'AlertmanagerClusterMembersMissing']);
    expect(g.rules[2].expr).toBe('max_over_time(alertmanager_cluster_members{job="alertmanager"}[5m]) < 2');
  });

  test('copies its inputs: later changes do not reach the config', () => {
    const receivers: any[] = [{ name: 'default' }];
    const route: any = { receiver: 'default' };
    const { chart: c, prometheus } = stack();
    prometheus.addKubeletScrape('kubelet');
    const am = new Alertmanager(c, 'am', { prometheus, route, receivers });
    receivers.push({ name: 'late' });
    expect(parse(am.renderConfig()).receivers).toEqual([{ name: 'default' }]);
    expect(() => Testing.synth(c)).not.toThrow();
  });

  test('isAlertmanager', () => {
    const { am } = setup();
    expect(Alertmanager.isAlertmanager(am)).toBe(true);
    expect(Alertmanager.isAlertmanager({})).toBe(false);
  });
});
