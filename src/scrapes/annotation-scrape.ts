import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ScrapeJob } from './scrape-job';
import { DiscoveryRole, EndpointDiscovery } from '../model/discovery';
import { ScrapeAuthorization, ScrapeTlsOptions } from '../model/endpoint';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { fail } from '../model/validation';

/** What an `AnnotationScrape` discovers and reads the annotations of. */
export enum AnnotatedObjects {
  /** The endpoints of annotated Services (the Helm chart's `kubernetes-service-endpoints`). */
  SERVICE_ENDPOINTS = 'service-endpoints',
  /** Annotated pods (the Helm chart's `kubernetes-pods`). */
  PODS = 'pods',
}

/** Options of `AnnotationScrape`. */
export interface AnnotationScrapeOptions extends ScrapeOptions {
  /**
   * Whose annotations opt in: the endpoints of annotated Services, or annotated pods.
   * @default AnnotatedObjects.SERVICE_ENDPOINTS
   */
  readonly objects?: AnnotatedObjects;
  /**
   * The annotation prefix: `<prefix>/scrape`, `/scrape-slow`, `/scheme`, `/path`, `/port`,
   * `/param_<name>`. A lowercase DNS subdomain.
   * @default "prometheus.io"
   */
  readonly annotationPrefix?: string;
  /**
   * The slow variant: keeps the objects annotated `<prefix>/scrape-slow: "true"` instead, and
   * scrapes them every 5 minutes unless `interval` says otherwise. The regular job leaves them out.
   * @default false
   */
  readonly slow?: boolean;
  /**
   * Namespaces to discover in (the stack grants Roles only there).
   * @default - all namespaces (a ClusterRole)
   */
  readonly namespaces?: string[];
  /**
   * How Service endpoints are discovered (objects SERVICE_ENDPOINTS only).
   * @default EndpointDiscovery.ENDPOINT_SLICE
   */
  readonly discovery?: EndpointDiscovery;
  /**
   * TLS settings for the targets annotated `<prefix>/scheme: https`.
   * @default - system roots, no client certificate
   */
  readonly tls?: ScrapeTlsOptions;
  /**
   * Credentials sent with each scrape.
   * @default ScrapeAuthorization.none()
   */
  readonly authorization?: ScrapeAuthorization;
}

/** Props of `AnnotationScrape`. */
export interface AnnotationScrapeProps extends AnnotationScrapeOptions {
  /** The stack that scrapes the annotated objects. */
  readonly prometheus: IPrometheus;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The default interval of the slow variant, as in the Prometheus Helm chart. */
const SLOW_INTERVAL = Duration.minutes(5);

/**
 * Scrapes what opts in with annotations, as the Prometheus Helm chart's annotation jobs read
 * them: `prometheus.io/scrape: "true"` keeps the endpoints of a Service (or a pod);
 * `prometheus.io/scheme` (`http` or `https`), `/path`, `/port` and `/param_<name>` set the
 * scheme, path, port and URL parameters. The port rewrite keeps IPv6 addresses in brackets
 * (`[fd00::1]:8080`). Series get `namespace`, `node`, `service` (or `pod`) and the object's
 * labels; `job` is the job name (`kubernetes-service-endpoints`, `kubernetes-pods`, with `-slow`
 * for the slow variant). Pods that are not running and init containers are left out, and so are
 * targets with no port (neither a declared port nor the `port` annotation).
 */
export class AnnotationScrape extends ScrapeJob {
  /** The annotation prefix read. */
  public readonly annotationPrefix: string;

  public constructor(scope: Construct, id: string, props: AnnotationScrapeProps) {
    super(scope, id);
    const objects = props.objects ?? AnnotatedObjects.SERVICE_ENDPOINTS;
    if (!Object.values(AnnotatedObjects).includes(objects)) {
      fail({ scope: this, prop: 'objects' }, objects, 'use AnnotatedObjects.SERVICE_ENDPOINTS or AnnotatedObjects.PODS');
    }
    const prefix = props.annotationPrefix ?? 'prometheus.io';
    if (typeof prefix !== 'string' || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) {
      fail({ scope: this, prop: 'annotationPrefix' }, prefix,
        'an annotation prefix is a lowercase DNS subdomain such as "prometheus.io" (no "/", no scheme)');
    }
    if (props.slow !== undefined && typeof props.slow !== 'boolean') {
      fail({ scope: this, prop: 'slow' }, props.slow, 'give true or false');
    }
    const discovery = props.discovery ?? EndpointDiscovery.ENDPOINT_SLICE;
    if (!Object.values(EndpointDiscovery).includes(discovery)) {
      fail({ scope: this, prop: 'discovery' }, discovery, 'use EndpointDiscovery.ENDPOINT_SLICE or EndpointDiscovery.ENDPOINTS');
    }
    if (props.discovery !== undefined && objects === AnnotatedObjects.PODS) {
      fail({ scope: this, prop: 'discovery' }, discovery, 'pods are discovered directly; discovery applies to AnnotatedObjects.SERVICE_ENDPOINTS only');
    }
    this.annotationPrefix = prefix;
    const slow = props.slow ?? false;
    const pods = objects === AnnotatedObjects.PODS;
    const kind = pods ? 'pod' : 'service';
    // Prometheus turns every character of an annotation key outside [a-zA-Z0-9_] into "_".
    const ann = (name: string) => `__meta_kubernetes_${kind}_annotation_${`${prefix}/${name}`.replace(/[^a-zA-Z0-9_]/g, '_')}`;

    const relabelings: RelabelRule[] = [
      RelabelRule.keep({ sourceLabels: [ann(slow ? 'scrape-slow' : 'scrape')], regex: 'true' }),
      ...(slow ? [] : [RelabelRule.drop({ sourceLabels: [ann('scrape-slow')], regex: 'true' })]),
    ];
    if (pods) {
      relabelings.push(
        RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed|Completed' }),
        RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_pod_container_init'], regex: 'true' }),
        // A container without ports yields the bare pod IP: useless without the port annotation.
        RelabelRule.drop({ sourceLabels: [ann('port'), '__meta_kubernetes_pod_container_port_number'], regex: ';' }),
      );
    } else {
      // Only the ports the Service exposes (discovery adds the backing pods' other container ports).
      relabelings.push(discovery === EndpointDiscovery.ENDPOINTS
        ? RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_endpoint_ready'], regex: '.+' })
        : RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_endpointslice_port'], regex: '.+' }));
    }
    relabelings.push(
      RelabelRule.replace({ sourceLabels: [ann('scheme')], regex: '(https?)', targetLabel: '__scheme__' }),
      RelabelRule.replace({ sourceLabels: [ann('path')], regex: '(/.*)', targetLabel: '__metrics_path__' }),
    );
    if (pods) {
      // From the pod IP, not __address__: a bare IPv6 address cannot be split at its last colon.
      relabelings.push(
        RelabelRule.replace({
          sourceLabels: [ann('port'), '__meta_kubernetes_pod_ip'], regex: '(\\d{1,5});(.*:.*)', targetLabel: '__address__', replacement: '[$2]:$1',
        }),
        RelabelRule.replace({
          sourceLabels: [ann('port'), '__meta_kubernetes_pod_ip'], regex: '(\\d{1,5});([^:]+)', targetLabel: '__address__', replacement: '$2:$1',
        }),
      );
    } else {
      // Endpoint addresses are host:port, IPv6 hosts in brackets: replace what follows the last colon.
      relabelings.push(RelabelRule.replace({
        sourceLabels: ['__address__', ann('port')], regex: '(.+):\\d+;(\\d{1,5})', targetLabel: '__address__', replacement: '$1:$2',
      }));
    }
    relabelings.push(
      RelabelRule.labelMap({ regex: `${ann('param_')}(.+)`, replacement: '__param_$1' }),
      RelabelRule.labelMap({ regex: `__meta_kubernetes_${kind}_label_(.+)` }),
      RelabelRule.copy('__meta_kubernetes_namespace', 'namespace'),
      pods ? RelabelRule.copy('__meta_kubernetes_pod_name', 'pod') : RelabelRule.copy('__meta_kubernetes_service_name', 'service'),
      RelabelRule.copy('__meta_kubernetes_pod_node_name', 'node'),
    );
    const defaultJobName = `${pods ? 'kubernetes-pods' : 'kubernetes-service-endpoints'}${slow ? '-slow' : ''}`;
    this._register(props.prometheus, { ...props, interval: props.interval ?? (slow ? SLOW_INTERVAL : undefined) }, {
      defaultJobName,
      role: pods ? DiscoveryRole.POD : discovery as unknown as DiscoveryRole,
      namespaces: props.namespaces,
      tls: props.tls,
      authorization: props.authorization,
      relabelings,
    });
  }
}
