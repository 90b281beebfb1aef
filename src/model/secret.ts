/**
 * Credentials from Kubernetes Secrets: a typed reference to one key of a Secret, usable wherever
 * a config takes a file. The component that uses it mounts the Secret (one read-only volume per
 * Secret, only the referenced keys, never `subPath`) and renders the file path; nobody writes a
 * path by hand, and no ServiceAccount needs RBAC on Secrets (the kubelet mounts them).
 */
import { createHash } from 'crypto';
import { ISecret } from 'cdk8s-plus-27';
import { brand, hasBrand } from './brand';
import { DNS1123_SUBDOMAIN, fail, Where } from './validation';

/** One key of a Kubernetes Secret in the namespace of the pod that reads it. */
export class SecretKey {
  /** Whether `x` is a SecretKey, made by any copy of this library. */
  public static isSecretKey(x: any): x is SecretKey {
    return hasBrand(x, 'SecretKey');
  }

  /** The key `key` of the Secret named `secretName` (in the namespace of the pod that reads it). */
  public static of(secretName: string, key: string): SecretKey {
    return new SecretKey(secretName, key);
  }

  /** The key `key` of a cdk8s-plus Secret (in the namespace of the pod that reads it). */
  public static fromSecret(secret: ISecret, key: string): SecretKey {
    return new SecretKey(secret?.name, key);
  }

  private constructor(private readonly _secretName: string, private readonly _key: string) {}

  /** Name of the Secret. */
  public get secretName(): string {
    return this._secretName;
  }

  /** The key within the Secret. */
  public get key(): string {
    return this._key;
  }
}
brand(SecretKey, 'SecretKey');

/** Where Prometheus finds the Secrets its config references. */
export const PROMETHEUS_SECRETS_DIR = '/etc/prometheus/secrets';

const SECRET_DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/** Checks a Secret reference as the API server would check the Secret and its key. */
export function checkSecretKey(where: Where, ref: unknown): asserts ref is SecretKey {
  if (!SecretKey.isSecretKey(ref)) fail(where, ref, 'use SecretKey.of(secretName, key) or SecretKey.fromSecret(secret, key)');
  const name = ref.secretName;
  if (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    fail({ scope: where.scope, prop: `${where.prop}.secretName` }, name,
      'a Secret name is a DNS-1123 subdomain: at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit');
  }
  const key = ref.key;
  if (typeof key !== 'string' || key.length > 253 || !SECRET_DATA_KEY.test(key) || key === '.' || key === '..') {
    fail({ scope: where.scope, prop: `${where.prop}.key` }, key,
      'a Secret key is at most 253 letters, digits, "-", "_" and ".", and not "." or ".."');
  }
}

/**
 * A Secret reference that holds a credential (token, password, client secret). A string in its
 * place is most likely the credential itself: refused, and never echoed in the message.
 */
export function checkCredentialKey(where: Where, ref: unknown): asserts ref is SecretKey {
  if (typeof ref === 'string') {
    fail(where, '(a string)', 'a credential written in the config would be stored in the ConfigMap; put it in a Secret and give SecretKey.of(secretName, key)');
  }
  checkSecretKey(where, ref);
}

/** The file a Secret key is mounted as, under a component's secrets directory. */
export function secretFilePath(dir: string, ref: SecretKey): string {
  return `${dir}/${ref.secretName}/${ref.key}`;
}

/** A volume name (DNS-1123 label) for a Secret: readable when it fits, hashed when it does not. */
function volumeName(secretName: string): string {
  // A name with a dot is hashed: "a.b" and "a-b" must not share a volume name.
  return !secretName.includes('.') && secretName.length <= 56
    ? `secret-${secretName}`
    : `secret-${createHash('sha256').update(secretName).digest('hex').slice(0, 16)}`;
}

/** A read-only Secret volume, its keys and where it is mounted: the Kubernetes shapes, untyped here. */
export interface SecretMount {
  readonly volume: { name: string; secret: { secretName: string; defaultMode: number; items: Array<{ key: string; path: string }> } };
  readonly mount: { name: string; mountPath: string; readOnly: boolean };
}

/**
 * One volume per Secret with exactly the referenced keys (mode 0440: the pod's group reads them),
 * mounted as a directory (never `subPath`, so rotated Secrets reach the pod), sorted by name.
 */
export function secretMounts(dir: string, refs: readonly SecretKey[]): SecretMount[] {
  const keys = new Map<string, Set<string>>();
  for (const r of refs) keys.set(r.secretName, (keys.get(r.secretName) ?? new Set()).add(r.key));
  return [...keys.keys()].sort().map(secretName => ({
    volume: {
      name: volumeName(secretName),
      secret: { secretName, defaultMode: 0o440, items: [...keys.get(secretName)!].sort().map(key => ({ key, path: key })) },
    },
    mount: { name: volumeName(secretName), mountPath: `${dir}/${secretName}`, readOnly: true },
  }));
}
