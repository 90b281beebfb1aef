/**
 * Image references: their syntax (what the kubelet would fail to pull), a registry mirror that
 * rewrites every image the library deploys, and the version an image actually runs (for the
 * `app.kubernetes.io/version` label and version-dependent flags).
 */
import { fail, Where } from './validation';

// The reference grammar of the distribution project: [domain[:port]/]path[:tag][@digest].
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

interface ParsedImage { readonly domain?: string; readonly path: string; readonly tag?: string; readonly digest?: string }

function parse(image: string): ParsedImage | undefined {
  const m = REFERENCE.exec(image);
  if (!m) return undefined;
  let domain: string | undefined = m[1];
  let path = m[2];
  // "a/b": "a" is a registry only if it looks like a host (a dot, a port, or localhost).
  if (domain !== undefined && !/[.:]/.test(domain) && domain !== 'localhost') {
    path = `${domain}/${path}`;
    domain = undefined;
  }
  return { domain, path, tag: m[3], digest: m[4] };
}

/** Checks an image reference as the container runtime would parse it. */
export function checkImage(where: Where, image: unknown): asserts image is string {
  if (typeof image !== 'string' || image.length > 255 || parse(image) === undefined) {
    fail(where, image, 'an image reference is [registry[:port]/]name[:tag][@sha256:digest], with a lowercase name '
      + 'and a tag of at most 128 letters, digits, "_", "." and "-"');
  }
}

/** Checks a registry mirror: a host, an optional port and an optional path, no scheme. */
export function checkRegistry(where: Where, registry: unknown): asserts registry is string {
  const ok = typeof registry === 'string' && new RegExp(`^${DOMAIN}(?:/${COMPONENT})*$`).test(registry);
  if (!ok) fail(where, registry, 'a registry is a host[:port] with an optional path, such as "mirror.example.com/quay.io", without a scheme');
}

/**
 * The image to deploy: the user's own `image` as given; else the pinned image, its registry
 * replaced by the mirror (`quay.io/prometheus/prometheus:v3.16.0` with mirror
 * `mirror.example.com` is `mirror.example.com/prometheus/prometheus:v3.16.0`).
 */
export function resolveImage(userImage: string | undefined, pinned: string, registry: string | undefined): string {
  if (userImage !== undefined) return userImage;
  if (registry === undefined) return pinned;
  const p = parse(pinned)!;
  return `${registry}/${p.path}${p.tag ? `:${p.tag}` : ''}${p.digest ? `@${p.digest}` : ''}`;
}

/** The version an image runs, from its tag (`v3.16.0` → `3.16.0`), if the tag is a version. */
export function imageVersion(image: string): string | undefined {
  const tag = parse(image)?.tag;
  const m = tag === undefined ? null : /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(tag);
  return m ? m[1] : undefined;
}

/** The `app.kubernetes.io/version` of a deployed image: its version, else its tag if a label value can hold it. */
export function versionLabel(image: string): string | undefined {
  const version = imageVersion(image);
  if (version !== undefined) return version;
  const tag = parse(image)?.tag;
  return tag !== undefined && /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(tag) ? tag : undefined;
}

/** Whether `version` (x.y.z) is at least `min` (x.y.z). */
export function atLeast(version: string, min: string): boolean {
  const a = version.split(/[.-]/).slice(0, 3).map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}
