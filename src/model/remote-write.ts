/**
 * Where Prometheus sends its samples (`remote_write`): the endpoint, its credentials (always from
 * Secrets), its queue, and the checks of what Prometheus 3.16's config loader refuses.
 */
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { brand, hasBrand } from './brand';
import { checkHeaders, checkKeyNotSent, checkTls, ScrapeTlsOptions } from './endpoint';
import { RelabelRule } from './relabel';
import { checkRelabelRule } from './relabel-check';
import { checkCredentialKey, checkSecretKey, SecretKey } from './secret';
import { checkPositiveDuration, fail, NameValidationScheme, parseHttpUrl, Where } from './validation';

/** The protobuf message a remote-write endpoint receives (`protobuf_message`). */
export enum RemoteWriteMessage {
  /** Remote write 1.0 (`prometheus.WriteRequest`), what every receiver understands. */
  V1 = 'prometheus.WriteRequest',
  /** Remote write 2.0 (`io.prometheus.write.v2.Request`): metadata, exemplars and created timestamps in one request. */
  V2 = 'io.prometheus.write.v2.Request',
}

/** Kinds of remote-write credentials. */
export enum RemoteWriteAuthType {
  /** No credentials. */
  NONE = 'none',
  /** `Authorization: Bearer <token>`. */
  BEARER = 'bearer',
  /** HTTP basic auth. */
  BASIC = 'basic',
  /** OAuth 2.0 client credentials. */
  OAUTH2 = 'oauth2',
  /** AWS Signature Version 4. */
  SIGV4 = 'sigv4',
}

/** Options of `RemoteWriteAuth.oauth2`. */
export interface RemoteWriteOAuth2Options {
  /** The client id. */
  readonly clientId: string;
  /** The client secret, from a key of a Secret in the Prometheus namespace. */
  readonly clientSecret: SecretKey;
  /** The token endpoint (absolute http or https URL). */
  readonly tokenUrl: string;
  /**
   * Scopes asked for.
   * @default - none
   */
  readonly scopes?: string[];
  /**
   * Extra parameters of the token request.
   * @default - none
   */
  readonly endpointParams?: { [name: string]: string };
}

/** Options of `RemoteWriteAuth.sigV4`. */
export interface RemoteWriteSigV4Options {
  /**
   * AWS region.
   * @default - the region of the AWS environment of the pod
   */
  readonly region?: string;
  /**
   * AWS access key id, from a Secret (requires `secretKey`). Prometheus has no file setting for
   * SigV4 keys: the stack passes both as the environment variables `AWS_ACCESS_KEY_ID` and
   * `AWS_SECRET_ACCESS_KEY` of the Prometheus container.
   * @default - the AWS default credential chain (e.g. IRSA, the instance role)
   */
  readonly accessKey?: SecretKey;
  /**
   * AWS secret access key, from a Secret (requires `accessKey`).
   * @default - the AWS default credential chain
   */
  readonly secretKey?: SecretKey;
  /**
   * Named AWS profile.
   * @default - none
   */
  readonly profile?: string;
  /**
   * ARN of a role to assume.
   * @default - none
   */
  readonly roleArn?: string;
}

/** Credentials of a remote-write endpoint: one kind at a time, as Prometheus requires. */
export class RemoteWriteAuth {
  /** Whether `x` is a RemoteWriteAuth, made by any copy of this library. */
  public static isRemoteWriteAuth(x: any): x is RemoteWriteAuth {
    return hasBrand(x, 'RemoteWriteAuth');
  }

  /** `Authorization: Bearer <token>`, the token from a key of a Secret (the stack mounts it). */
  public static bearerToken(token: SecretKey): RemoteWriteAuth {
    return new RemoteWriteAuth(RemoteWriteAuthType.BEARER, { secret: token });
  }

  /** HTTP basic auth, the password from a key of a Secret (the stack mounts it). */
  public static basicAuth(username: string, password: SecretKey): RemoteWriteAuth {
    return new RemoteWriteAuth(RemoteWriteAuthType.BASIC, { username, secret: password });
  }

  /** OAuth 2.0 client credentials, the client secret from a key of a Secret (the stack mounts it). */
  public static oauth2(options: RemoteWriteOAuth2Options): RemoteWriteAuth {
    const o = options ?? ({} as RemoteWriteOAuth2Options);
    return new RemoteWriteAuth(RemoteWriteAuthType.OAUTH2, {
      oauth2: { ...o, scopes: o.scopes ? [...o.scopes] : undefined, endpointParams: o.endpointParams ? { ...o.endpointParams } : undefined },
      secret: o.clientSecret,
    });
  }

  /** AWS Signature Version 4 (e.g. Amazon Managed Service for Prometheus). */
  public static sigV4(options: RemoteWriteSigV4Options = {}): RemoteWriteAuth {
    return new RemoteWriteAuth(RemoteWriteAuthType.SIGV4, { sigv4: { ...options } });
  }

  /** No credentials. */
  public static none(): RemoteWriteAuth {
    return new RemoteWriteAuth(RemoteWriteAuthType.NONE, {});
  }

  private constructor(
    private readonly _type: RemoteWriteAuthType,
    private readonly _fields: {
      readonly username?: string;
      readonly secret?: SecretKey;
      readonly oauth2?: RemoteWriteOAuth2Options;
      readonly sigv4?: RemoteWriteSigV4Options;
    },
  ) {}

  /** The kind of credentials. */
  public get type(): RemoteWriteAuthType {
    return this._type;
  }

  /** Basic-auth user name. */
  public get username(): string | undefined {
    return this._fields.username;
  }

  /** The Secret key read as a file: bearer token, basic-auth password or OAuth2 client secret. */
  public get secret(): SecretKey | undefined {
    return this._fields.secret;
  }

  /** OAuth2 settings (a copy). */
  public get oauth2Options(): RemoteWriteOAuth2Options | undefined {
    const o = this._fields.oauth2;
    return o && { ...o, scopes: o.scopes ? [...o.scopes] : undefined, endpointParams: o.endpointParams ? { ...o.endpointParams } : undefined };
  }

  /** SigV4 settings (a copy). */
  public get sigV4Options(): RemoteWriteSigV4Options | undefined {
    return this._fields.sigv4 && { ...this._fields.sigv4 };
  }
}
brand(RemoteWriteAuth, 'RemoteWriteAuth');

/** How samples queue up and are sent (`queue_config`). */
export interface RemoteWriteQueueOptions {
  /**
   * Samples buffered per shard before reading from the WAL blocks.
   * @default 10000
   */
  readonly capacity?: number;
  /**
   * Fewest concurrent senders (must not exceed `maxShards`).
   * @default 1
   */
  readonly minShards?: number;
  /**
   * Most concurrent senders.
   * @default 50
   */
  readonly maxShards?: number;
  /**
   * Largest batch of samples per request.
   * @default 2000
   */
  readonly maxSamplesPerSend?: number;
  /**
   * Longest time a sample waits in a shard before it is sent.
   * @default Duration.seconds(5)
   */
  readonly batchSendDeadline?: Duration;
  /**
   * First retry delay after a recoverable error.
   * @default Duration.millis(30)
   */
  readonly minBackoff?: Duration;
  /**
   * Longest retry delay (not less than `minBackoff`).
   * @default Duration.seconds(5)
   */
  readonly maxBackoff?: Duration;
  /**
   * Retry a batch the receiver answers with 429 Too Many Requests (instead of dropping it).
   * @default false
   */
  readonly retryOnHttp429?: boolean;
}

/** Whether and how metric metadata is sent (`metadata_config`). */
export interface RemoteWriteMetadataOptions {
  /**
   * Send metric metadata (type, help, unit).
   * @default true
   */
  readonly send?: boolean;
  /**
   * How often metadata is sent.
   * @default Duration.minutes(1)
   */
  readonly sendInterval?: Duration;
  /**
   * Largest batch of metadata per request.
   * @default 2000
   */
  readonly maxSamplesPerSend?: number;
}

/** One `remote_write` endpoint. */
export interface RemoteWriteEndpoint {
  /** Where samples go: an absolute http or https URL, without credentials or fragment. */
  readonly url: string;
  /**
   * Name of the endpoint in Prometheus's metrics (`remote_name`); unique within the stack.
   * @default - a hash of the endpoint's config, chosen by Prometheus
   */
  readonly name?: string;
  /**
   * Timeout of one request.
   * @default Duration.seconds(30)
   */
  readonly remoteTimeout?: Duration;
  /**
   * Extra HTTP request headers (not the ones Prometheus sets itself, such as Authorization).
   * @default - none
   */
  readonly headers?: { [name: string]: string };
  /**
   * Relabel rules applied to each series before it is sent (series relabeling: no `__meta_*` labels).
   * @default - none: everything is sent
   */
  readonly writeRelabelings?: RelabelRule[];
  /**
   * Queue settings.
   * @default - Prometheus's defaults
   */
  readonly queue?: RemoteWriteQueueOptions;
  /**
   * Metadata settings.
   * @default - Prometheus's defaults (send every minute)
   */
  readonly metadata?: RemoteWriteMetadataOptions;
  /**
   * Credentials, from Secrets in the Prometheus namespace.
   * @default RemoteWriteAuth.none()
   */
  readonly authorization?: RemoteWriteAuth;
  /**
   * TLS settings for an https URL.
   * @default - system roots, no client certificate
   */
  readonly tls?: ScrapeTlsOptions;
  /**
   * Protobuf message the receiver takes.
   * @default RemoteWriteMessage.V1
   */
  readonly protobufMessage?: RemoteWriteMessage;
}

/** A remote-write endpoint after its checks: copied, so later changes to the input do not reach it. */
export type RemoteWriteSpec = RemoteWriteEndpoint;

function copyEndpoint(rw: RemoteWriteEndpoint): RemoteWriteSpec {
  return {
    ...rw,
    headers: rw.headers ? { ...rw.headers } : undefined,
    writeRelabelings: rw.writeRelabelings ? [...rw.writeRelabelings] : undefined,
    queue: rw.queue ? { ...rw.queue } : undefined,
    metadata: rw.metadata ? { ...rw.metadata } : undefined,
    tls: rw.tls ? { ...rw.tls } : undefined,
  };
}

function checkHttpUrl(where: Where, url: unknown, what: string): void {
  const parsed = parseHttpUrl(url);
  if (!parsed) fail(where, url, `${what} is an absolute http:// or https:// URL with a host`);
  if (parsed.username !== '' || parsed.password !== '') {
    fail(where, url, 'credentials in the URL would be stored in the ConfigMap; give them with `authorization` (from a Secret)');
  }
  if ((url as string).includes('#')) fail(where, url, 'a URL fragment is never sent to the server; leave it out');
}

function checkPositiveInteger(where: Where, n: unknown): void {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) fail(where, n, 'must be a whole number > 0');
}

/** Checks one endpoint of `remoteWrite` as Prometheus 3.16 would load it; returns a copy. */
export function checkRemoteWrite(scope: Construct, prop: string, input: RemoteWriteEndpoint, scheme: NameValidationScheme): RemoteWriteSpec {
  const at = (field: string): Where => ({ scope, prop: `${prop}.${field}` });
  if (input === null || typeof input !== 'object') fail({ scope, prop }, input, 'give an object with at least a url');
  const rw = copyEndpoint(input);
  checkHttpUrl(at('url'), rw.url, 'a remote-write url');
  if (rw.name !== undefined && (typeof rw.name !== 'string' || rw.name.trim() === '')) {
    fail(at('name'), rw.name, 'a name is a non-empty string (it labels the remote_* metrics of this endpoint)');
  }
  if (rw.remoteTimeout !== undefined) checkPositiveDuration(at('remoteTimeout'), rw.remoteTimeout);
  checkHeaders(at('headers'), rw.headers);
  (rw.writeRelabelings ?? []).forEach((rule, i) =>
    checkRelabelRule({ scope, prop: `${prop}.writeRelabelings[${i}]`, scheme, metric: true }, rule));

  const q = rw.queue;
  if (q) {
    for (const f of ['capacity', 'minShards', 'maxShards', 'maxSamplesPerSend'] as const) {
      if (q[f] !== undefined) checkPositiveInteger(at(`queue.${f}`), q[f]);
    }
    const minShards = q.minShards ?? 1;
    const maxShards = q.maxShards ?? 50;
    if (minShards > maxShards) {
      fail(at(q.minShards !== undefined ? 'queue.minShards' : 'queue.maxShards'), q.minShards ?? q.maxShards,
        `minShards (${minShards}) must not exceed maxShards (${maxShards})`);
    }
    for (const f of ['batchSendDeadline', 'minBackoff', 'maxBackoff'] as const) {
      if (q[f] !== undefined) checkPositiveDuration(at(`queue.${f}`), q[f]!);
    }
    const minBackoff = q.minBackoff?.toMilliseconds() ?? 30;
    const maxBackoff = q.maxBackoff?.toMilliseconds() ?? 5000;
    if (maxBackoff < minBackoff) {
      fail(at(q.maxBackoff !== undefined ? 'queue.maxBackoff' : 'queue.minBackoff'), q.maxBackoff ?? q.minBackoff,
        `maxBackoff (${maxBackoff}ms) must not be less than minBackoff (${minBackoff}ms)`);
    }
    if (q.retryOnHttp429 !== undefined && typeof q.retryOnHttp429 !== 'boolean') fail(at('queue.retryOnHttp429'), q.retryOnHttp429, 'true or false');
  }
  const m = rw.metadata;
  if (m) {
    if (m.send !== undefined && typeof m.send !== 'boolean') fail(at('metadata.send'), m.send, 'true or false');
    if (m.sendInterval !== undefined) checkPositiveDuration(at('metadata.sendInterval'), m.sendInterval);
    if (m.maxSamplesPerSend !== undefined) checkPositiveInteger(at('metadata.maxSamplesPerSend'), m.maxSamplesPerSend);
  }
  if (rw.protobufMessage !== undefined && !Object.values(RemoteWriteMessage).includes(rw.protobufMessage)) {
    fail(at('protobufMessage'), rw.protobufMessage, `one of ${Object.values(RemoteWriteMessage).join(', ')} (RemoteWriteMessage.V1 or .V2)`);
  }
  checkTls(scope, `${prop}.tls`, rw.tls);
  if (rw.tls && !rw.url.startsWith('https:')) {
    fail(at('tls'), rw.url, 'TLS settings apply to an https:// url only');
  }

  const auth = rw.authorization;
  if (auth !== undefined) {
    if (!RemoteWriteAuth.isRemoteWriteAuth(auth)) {
      fail(at('authorization'), auth, 'use RemoteWriteAuth.bearerToken(), .basicAuth(), .oauth2(), .sigV4() or .none()');
    }
    const secretProp = { [RemoteWriteAuthType.BEARER]: 'token', [RemoteWriteAuthType.BASIC]: 'password', [RemoteWriteAuthType.OAUTH2]: 'clientSecret' } as Record<string, string>;
    if (auth.type in secretProp) checkCredentialKey(at(`authorization.${secretProp[auth.type]}`), auth.secret);
    if (auth.type === RemoteWriteAuthType.BASIC && (typeof auth.username !== 'string' || auth.username === '')) {
      fail(at('authorization.username'), auth.username, 'basic auth needs a non-empty user name');
    }
    const o = auth.oauth2Options;
    if (o) {
      if (typeof o.clientId !== 'string' || o.clientId === '') fail(at('authorization.clientId'), o.clientId, 'OAuth2 needs a non-empty client id');
      checkHttpUrl(at('authorization.tokenUrl'), o.tokenUrl, 'a token url');
      (o.scopes ?? []).forEach((s, i) => {
        if (typeof s !== 'string' || s === '' || /\s/.test(s)) fail(at(`authorization.scopes[${i}]`), s, 'a scope is a non-empty string without spaces');
      });
      for (const [k, v] of Object.entries(o.endpointParams ?? {})) {
        if (k === '' || typeof v !== 'string') fail(at('authorization.endpointParams'), k, 'give string parameters with non-empty names');
      }
    }
    const s = auth.sigV4Options;
    if (s) {
      if ((s.accessKey === undefined) !== (s.secretKey === undefined)) {
        fail(at(s.accessKey === undefined ? 'authorization.secretKey' : 'authorization.accessKey'), (s.accessKey ?? s.secretKey)!.key,
          'static AWS credentials need both accessKey and secretKey; leave both out for the default credential chain');
      }
      if (s.accessKey !== undefined) checkSecretKey(at('authorization.accessKey'), s.accessKey);
      if (s.secretKey !== undefined) checkSecretKey(at('authorization.secretKey'), s.secretKey);
      if (s.region !== undefined && !/^[a-z0-9-]+$/.test(s.region)) fail(at('authorization.region'), s.region, 'an AWS region such as "eu-west-1"');
      if (s.roleArn !== undefined && !/^arn:[^:]+:iam::\d{12}:role\/.+$/.test(s.roleArn)) {
        fail(at('authorization.roleArn'), s.roleArn, 'an IAM role ARN such as "arn:aws:iam::123456789012:role/prometheus"');
      }
      if (s.profile !== undefined && (typeof s.profile !== 'string' || s.profile === '')) fail(at('authorization.profile'), s.profile, 'a non-empty profile name');
    }
    checkKeyNotSent(at('authorization'), auth.secret, rw.tls);
  }
  return rw;
}

/** Every Secret key a remote-write endpoint reads as a file (TLS files and credentials; not SigV4's environment). */
export function remoteWriteSecrets(rw: RemoteWriteSpec): SecretKey[] {
  const tls = rw.tls;
  return [tls?.ca, tls?.cert, tls?.key, rw.authorization?.secret].filter((s): s is SecretKey => s !== undefined);
}

/** Checks across the endpoints: unique names, and one set of static AWS credentials per pod. */
export function checkRemoteWrites(scope: Construct, endpoints: RemoteWriteSpec[]): void {
  const names = new Map<string, number>();
  endpoints.forEach((rw, i) => {
    if (rw.name === undefined) return;
    if (names.has(rw.name)) {
      fail({ scope, prop: `remoteWrite[${i}].name` }, rw.name, `already the name of remoteWrite[${names.get(rw.name)}]; every endpoint needs its own name`);
    }
    names.set(rw.name, i);
  });
  let first: { i: number; id: string } | undefined;
  endpoints.forEach((rw, i) => {
    const s = rw.authorization?.sigV4Options;
    if (!s?.accessKey || !s.secretKey) return;
    const id = `${s.accessKey.secretName}/${s.accessKey.key} ${s.secretKey.secretName}/${s.secretKey.key}`;
    if (first && first.id !== id) {
      fail({ scope, prop: `remoteWrite[${i}].authorization.accessKey` }, `${s.accessKey.secretName}/${s.accessKey.key}`,
        `the AWS keys reach Prometheus as its environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): one pair per pod, and remoteWrite[${first.i}] uses another; use the same keys, or roleArn`);
    }
    first = first ?? { i, id };
  });
}

/** The static SigV4 credentials of the endpoints, if any (they are all the same pair). */
export function sigV4Credentials(endpoints: RemoteWriteSpec[]): { accessKey: SecretKey; secretKey: SecretKey } | undefined {
  for (const rw of endpoints) {
    const s = rw.authorization?.sigV4Options;
    if (s?.accessKey && s.secretKey) return { accessKey: s.accessKey, secretKey: s.secretKey };
  }
  return undefined;
}
