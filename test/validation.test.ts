/**
 * The synth-time checks of src/model/validation.ts, one by one, against values written out by
 * hand from the rules of Prometheus (label names, RE2, durations), HTTP (RFC 9110 tokens) and
 * Kubernetes (apimachinery validation). These helpers are not public API: the file imports them
 * from the model on purpose.
 */
import { Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  checkDns1035Label, checkDns1123Label, checkHttpHeader, checkK8sLabelKey, checkK8sLabelValue, checkLabelName,
  checkLabelValue, checkNonNegativeInteger, checkPort, checkPortName, checkPositiveDuration, checkRegex, checkReplacement,
  checkWritableLabel, NameValidationScheme, promDuration, regexGroupCount, regexMatches,
} from '../src/model/validation';

const scope = new Construct(Testing.chart(), 'c');
const at = { scope, prop: 'p' };
const { UTF8, LEGACY } = NameValidationScheme;

/** The exact start of every message: construct path, prop, value as shown. */
const prefix = (shown: string) => `test/c: invalid p ${shown}: `;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const startsWith = (shown: string, rest = '') => new RegExp(`^${escape(prefix(shown) + rest)}`);

describe('label names', () => {
  test.each(['app', '_x', 'app.kubernetes.io/name', 'ünïcödé', '0abc', 'a-b', '😀', ' '])('UTF-8 accepts %j', name => {
    expect(() => checkLabelName(at, name, UTF8)).not.toThrow();
  });

  test.each(['app', '_x', '__name__', 'A_b9', 'a1'])('legacy accepts %j', name => {
    expect(() => checkLabelName(at, name, LEGACY)).not.toThrow();
  });

  test.each([UTF8, LEGACY])('an empty name fails under %s', scheme => {
    expect(() => checkLabelName(at, '', scheme)).toThrow(prefix('""') + 'a label name must be a non-empty string');
  });

  test.each(['0abc', 'a-b', 'a.b', 'ü', 'a b', 'app.kubernetes.io/name'])('legacy rejects %j', name => {
    expect(() => checkLabelName(at, name, LEGACY))
      .toThrow(prefix(JSON.stringify(name)) + 'a label name must match [a-zA-Z_][a-zA-Z0-9_]* under the legacy validation scheme');
  });

  test.each([
    ['a lone high surrogate', 'bad\ud800', '"bad\\ud800"'],
    ['a lone low surrogate', '\udc00x', '"\\udc00x"'],
    ['a high surrogate at the end', 'x\ud83d', '"x\\ud83d"'],
  ])('UTF-8 rejects %s', (_what, name, shown) => {
    expect(() => checkLabelName(at, name, UTF8)).toThrow(prefix(shown) + 'a label name must be valid UTF-8');
  });
});

describe('label values', () => {
  test.each(['', 'x', 'a b/c', '😀', '${POD_NAME}'])('accepts %j', value => {
    expect(() => checkLabelValue(at, value)).not.toThrow();
  });

  test('rejects a lone surrogate', () => {
    expect(() => checkLabelValue(at, 'v\udfff')).toThrow(prefix('"v\\udfff"') + 'a label value must be a valid UTF-8 string');
  });

  test('rejects a non-string', () => {
    expect(() => checkLabelValue(at, 5 as any)).toThrow(prefix('5') + 'a label value must be a valid UTF-8 string');
  });
});

describe('writable labels', () => {
  test.each([
    'job', 'instance', '_x', '__address__', '__scheme__', '__metrics_path__', '__scrape_interval__', '__scrape_timeout__',
    '__name__', '__param_target', '__param_module', '__tmp_shard', '__tmpx',
  ])('accepts %j as a target', name => {
    expect(() => checkWritableLabel(at, name, UTF8)).not.toThrow();
  });

  test.each(['__team', '__', '__param', '__meta_kubernetes_pod_name', '__address', '__name'])('rejects %j: dropped after relabeling', name => {
    expect(() => checkWritableLabel(at, name, UTF8))
      .toThrow(startsWith(JSON.stringify(name), 'labels beginning with "__" are dropped after relabeling and never reach a series'));
  });

  test('checks the name under the scheme first', () => {
    expect(() => checkWritableLabel(at, 'my-label', LEGACY)).toThrow(startsWith('"my-label"', 'a label name must match'));
    expect(() => checkWritableLabel(at, 'my-label', UTF8)).not.toThrow();
    expect(() => checkWritableLabel(at, '', UTF8)).toThrow(prefix('""') + 'a label name must be a non-empty string');
  });
});

describe('RE2 regexes', () => {
  test.each([
    '', '.*', '.+', 'a|b', '(?i)abc', '\\d+', '[[:alpha:]]+', '\\p{Greek}+', '(?P<host>[^:]+):\\d+', '(?<host>.+)',
    'a{1000}', '\\Qa.b\\E', 'default;kubernetes', 'Pending|Succeeded|Failed|Completed', '[^*]+',
  ])('accepts %j', regex => {
    expect(() => checkRegex(at, regex)).not.toThrow();
  });

  test.each([
    ['a lookahead', '(?=x)'],
    ['a negative lookahead', 'a(?!b)'],
    ['a lookbehind', '(?<=x)y'],
    ['an unclosed group', '('],
    ['an unclosed group after text', 'a(b'],
    ['a backreference', '(a)\\1'],
    ['a possessive quantifier', 'a++'],
    ['a nested repetition', 'a**'],
    ['a repeat count above 1000', 'a{1001}'],
    ['a reversed range', '[z-a]'],
    ['a leading star', '*x'],
    ['the \\C escape', 'a\\C'],
  ])('rejects %s', (_what, regex) => {
    let message = '';
    try {
      checkRegex(at, regex);
    } catch (e: any) {
      message = e.message;
    }
    expect(message.startsWith(prefix(JSON.stringify(regex)) + 'not a valid RE2 regular expression (')).toBe(true);
    expect(message.endsWith('); Prometheus uses Go RE2 syntax: no lookarounds and no backreferences')).toBe(true);
  });

  test('rejects a non-string', () => {
    expect(() => checkRegex(at, 7 as any)).toThrow(prefix('7') + 'a regex must be a string');
  });

  test('regexMatches anchors the whole value, as a relabel rule does', () => {
    expect(regexMatches('b', 'abc')).toBe(false);
    expect(regexMatches('.*b.*', 'abc')).toBe(true);
    // ^(?s:a|b)$, not ^a|b$: the alternation stays inside the anchors
    expect(regexMatches('a|b', 'ab')).toBe(false);
    expect(regexMatches('a|b', 'b')).toBe(true);
    // (?s): a dot matches a newline
    expect(regexMatches('a.b', 'a\nb')).toBe(true);
    expect(regexMatches('(?i)ABC', 'abc')).toBe(true);
    expect(regexMatches('', '')).toBe(true);
    expect(regexMatches('', 'x')).toBe(false);
  });

  test('regexGroupCount counts capture groups only', () => {
    expect(regexGroupCount('')).toBe(0);
    expect(regexGroupCount('(.*)')).toBe(1);
    expect(regexGroupCount('(a)(?:b)(?P<c>c)')).toBe(2);
    expect(regexGroupCount('((a)(b))')).toBe(3);
    expect(regexGroupCount('\\(a\\)')).toBe(0);
    expect(regexGroupCount('[(]')).toBe(0);
  });

  test('regexMatches and regexGroupCount throw on an invalid regex', () => {
    expect(() => regexMatches('(', 'x')).toThrow();
    expect(() => regexGroupCount('(?=x)')).toThrow();
  });
});

describe('replacements', () => {
  test.each(['$1', '${1}', '${1}_suffix', '${1}x', '$1-x', '$1.x', 'x$1', '$0', '${host}', 'fixed', '', '$1:$2'])('accepts %j', r => {
    expect(() => checkReplacement(at, r)).not.toThrow();
  });

  test.each([
    ['$1_suffix', '"$1_suffix" is read as the group named "1_suffix"; write "${1}_suffix"'],
    ['$2x', '"$2x" is read as the group named "2x"; write "${2}x"'],
    ['prefix-$10abc', '"$10abc" is read as the group named "10abc"; write "${10}abc"'],
  ])('rejects %j', (r, problem) => {
    expect(() => checkReplacement(at, r)).toThrow(prefix(JSON.stringify(r)) + problem);
  });
});

describe('promDuration', () => {
  test.each([
    ['90 seconds', Duration.seconds(90), '1m30s'],
    ['1500 ms', Duration.millis(1500), '1s500ms'],
    ['90 minutes', Duration.minutes(90), '1h30m'],
    ['36 hours', Duration.hours(36), '1d12h'],
    ['30 seconds', Duration.seconds(30), '30s'],
    ['1 ms', Duration.millis(1), '1ms'],
    ['zero', Duration.millis(0), '0s'],
    ['15 days', Duration.days(15), '15d'],
    ['8 days (not whole weeks)', Duration.days(8), '8d'],
    ['90 days (not whole weeks)', Duration.days(90), '90d'],
    ['1d 1h 1m 1s 1ms', Duration.millis(86_400_000 + 3_600_000 + 60_000 + 1000 + 1), '1d1h1m1s1ms'],
    ['an ISO duration', Duration.parse('PT2H5M'), '2h5m'],
  ])('%s is %j, as Prometheus writes it', (_what, d, expected) => {
    expect(promDuration(d)).toBe(expected);
  });

  // Prometheus parses `[0-9]+y`, `w`, `d`, `h`, `m`, `s`, `ms`, largest unit first, each at most once.
  const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
  const UNIT_MS = [31_536_000_000, 604_800_000, 86_400_000, 3_600_000, 60_000, 1000, 1];
  const parse = (s: string) => {
    const m = PROM_DURATION.exec(s);
    if (!m || s === '') throw new Error(`not a Prometheus duration: ${s}`);
    return UNIT_MS.reduce((sum, unit, i) => sum + Number(m[i + 1] ?? 0) * unit, 0);
  };

  test.each([
    ['7 days', Duration.days(7), 604_800_000],
    ['14 days', Duration.days(14), 1_209_600_000],
    ['365 days', Duration.days(365), 31_536_000_000],
    ['30 days', Duration.days(30), 2_592_000_000],
    ['2 hours and 1 ms', Duration.millis(7_200_001), 7_200_001],
  ])('%s renders to a Prometheus duration of the same length', (_what, d, ms) => {
    expect(parse(promDuration(d))).toBe(ms);
  });
});

describe('positive durations', () => {
  test.each([Duration.millis(1), Duration.seconds(1.5), Duration.days(400)])('accepts %s', d => {
    expect(() => checkPositiveDuration(at, d)).not.toThrow();
  });

  test('rejects zero', () => {
    expect(() => checkPositiveDuration(at, Duration.seconds(0))).toThrow(prefix('0ms') + 'must be a positive whole number of milliseconds');
  });

  test('rejects a fraction of a millisecond', () => {
    expect(() => checkPositiveDuration(at, Duration.millis(1.5))).toThrow(startsWith('"1.5 millis"', 'not a duration ('));
  });
});

describe('non-negative integers', () => {
  test.each([0, 1, 50_000, Number.MAX_SAFE_INTEGER])('accepts %d', n => {
    expect(() => checkNonNegativeInteger(at, n)).not.toThrow();
  });

  test.each([[-1, '-1'], [1.5, '1.5'], [2 ** 53, '9007199254740992']])('rejects %d', (n, shown) => {
    expect(() => checkNonNegativeInteger(at, n)).toThrow(prefix(shown) + 'must be a whole number >= 0');
  });

  test.each([NaN, Infinity, '5' as any])('rejects %p', n => {
    expect(() => checkNonNegativeInteger(at, n)).toThrow(/: must be a whole number >= 0$/);
  });
});

describe('HTTP headers', () => {
  const headers = { scope, prop: 'httpHeaders' };

  test.each(['X-Scope-OrgID', 'x_custom', 'Accept', "a!#$%&'*+.^_`|~-9Z"])('accepts the name %j', name => {
    expect(() => checkHttpHeader(headers, name, 'v')).not.toThrow();
  });

  test.each(['', 'Bad Header', 'X:Y', 'Ü', 'a\n', 'a"b', 'a(b)', 'a/b'])('rejects the name %j', name => {
    expect(() => checkHttpHeader(headers, name, 'v'))
      .toThrow(`test/c: invalid httpHeaders ${JSON.stringify(name)}: not a valid HTTP header name`);
  });

  test.each(['', 'v', 'a\tb', 'Bearer x.y.z', 'ünï'])('accepts the value %j', value => {
    expect(() => checkHttpHeader(headers, 'X-Org', value)).not.toThrow();
  });

  test.each([['a\r\nInjected: x', '"a\\r\\nInjected: x"'], ['a\nb', '"a\\nb"'], ['a\rb', '"a\\rb"'], [5 as any, '5']])('rejects the value %j, naming the header', (value, shown) => {
    expect(() => checkHttpHeader(headers, 'X-Org', value))
      .toThrow(`test/c: invalid httpHeaders.X-Org ${shown}: a header value is a single-line string`);
  });
});

describe('DNS labels', () => {
  const rfc1123 = 'must be a lowercase RFC 1123 label: at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit';
  const rfc1035 = (n: number) => `must be a lowercase RFC 1035 label: at most ${n} characters of a-z, 0-9 and "-", `
    + 'starting with a letter and ending with a letter or digit';

  test.each(['a', '0', 'a-b', '1abc', 'a1-2b', 'a'.repeat(63)])('RFC 1123 accepts %j', name => {
    expect(() => checkDns1123Label(at, name)).not.toThrow();
  });

  test.each(['', 'A', 'Apps', 'a_b', '-a', 'a-', 'a.b', 'a b', 'a'.repeat(64)])('RFC 1123 rejects %j', name => {
    expect(() => checkDns1123Label(at, name)).toThrow(prefix(JSON.stringify(name)) + rfc1123);
  });

  test.each(['a', 'a-1', 'web', 'a'.repeat(63)])('RFC 1035 accepts %j', name => {
    expect(() => checkDns1035Label(at, name)).not.toThrow();
  });

  test.each(['', '1abc', '0', 'A', 'a-', '-a', 'a_b', 'a.b', 'a'.repeat(64)])('RFC 1035 rejects %j', name => {
    expect(() => checkDns1035Label(at, name)).toThrow(prefix(JSON.stringify(name)) + rfc1035(63));
  });

  test('RFC 1035 with a shorter maximum', () => {
    expect(() => checkDns1035Label(at, 'a'.repeat(10), 10)).not.toThrow();
    expect(() => checkDns1035Label(at, 'a'.repeat(11), 10)).toThrow(prefix(JSON.stringify('a'.repeat(11))) + rfc1035(10));
  });
});

describe('port names (IANA service names)', () => {
  const problem = (...p: string[]) => `a port name (IANA service name) ${p.join(', ')}`;

  test.each(['http', 'metrics', 'http-metrics', 'a1', '1a', 'web-8080', 'a'.repeat(15)])('accepts %j', name => {
    expect(() => checkPortName(at, name)).not.toThrow();
  });

  test.each([
    ['', 'must not be empty'],
    ['a'.repeat(16), 'must be no more than 15 characters'],
    ['8080', 'must contain at least one letter (a-z)'],
    ['a--b', 'must not contain consecutive hyphens'],
    ['-a', 'must not begin or end with a hyphen'],
    ['a-', 'must not begin or end with a hyphen'],
    ['Metrics', 'must contain only a-z, 0-9 and "-"'],
    ['metrics_port', 'must contain only a-z, 0-9 and "-"'],
  ])('rejects %j: %s', (name, p) => {
    expect(() => checkPortName(at, name)).toThrow(prefix(JSON.stringify(name)) + problem(p));
  });

  test('lists every problem', () => {
    expect(() => checkPortName(at, '--')).toThrow(prefix('"--"') + problem(
      'must contain at least one letter (a-z)', 'must not contain consecutive hyphens', 'must not begin or end with a hyphen'));
    expect(() => checkPortName(at, 'HTTP_METRICS_PORT')).toThrow(prefix('"HTTP_METRICS_PORT"') + problem(
      'must be no more than 15 characters', 'must contain only a-z, 0-9 and "-"', 'must contain at least one letter (a-z)'));
  });
});

describe('ports', () => {
  test.each([1, 80, 9090, 65535])('accepts %d', port => {
    expect(() => checkPort(at, port)).not.toThrow();
  });

  test.each([[0, '0'], [65536, '65536'], [-1, '-1'], [1.5, '1.5'], [NaN, 'null']])('rejects %d', (port, shown) => {
    expect(() => checkPort(at, port)).toThrow(prefix(shown) + 'must be a whole number between 1 and 65535');
  });
});

describe('Kubernetes label keys and values', () => {
  const nameProblem = 'a label key name part must be at most 63 characters of alphanumerics, "-", "_" or ".", '
    + 'starting and ending with an alphanumeric character';
  const prefixProblem = 'a label key prefix must be a lowercase DNS subdomain';
  const valueProblem = 'a label value must be empty or at most 63 characters of alphanumerics, "-", "_" or ".", '
    + 'starting and ending with an alphanumeric character';
  // 3 labels of 63 and one of 61, with 3 dots: 253 characters
  const prefix253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;

  test('the 253-character prefix is 253 characters', () => {
    expect(prefix253.length).toBe(253);
  });

  test.each([
    'app', 'A_b.c-d', 'app.kubernetes.io/name', 'example.com/probe-me.please', 'prometheus.io/scrape', 'a'.repeat(63),
    `x/${'a'.repeat(63)}`, `${prefix253}/name`,
  ])('accepts the key %j', key => {
    expect(() => checkK8sLabelKey(at, key)).not.toThrow();
  });

  test.each(['', '-a', 'a-', '.a', 'a b', 'a'.repeat(64), 'x/', 'x/-a', `x/${'a'.repeat(64)}`])('rejects the key %j (name part)', key => {
    expect(() => checkK8sLabelKey(at, key)).toThrow(prefix(JSON.stringify(key)) + nameProblem);
  });

  test.each(['Example.com/x', '/x', 'a/b/c', 'a_b/x', '-a.com/x', 'a..b/x', `${prefix253}e/name`])('rejects the key %j (prefix)', key => {
    expect(() => checkK8sLabelKey(at, key)).toThrow(prefix(JSON.stringify(key)) + prefixProblem);
  });

  test.each(['', 'v', 'V1.2_3-x', '0', 'a'.repeat(63)])('accepts the value %j', value => {
    expect(() => checkK8sLabelValue(at, value)).not.toThrow();
  });

  test.each(['a'.repeat(64), '-v', 'v-', '_v', 'a b', 'a/b', 'ü'])('rejects the value %j', value => {
    expect(() => checkK8sLabelValue(at, value)).toThrow(prefix(JSON.stringify(value)) + valueProblem);
  });
});
