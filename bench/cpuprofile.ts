/**
 * Summarizes a V8 .cpuprofile (node --cpu-prof): the functions with the most self time, and the
 * library functions (lib/*.js) with the most total time (self plus callees), with their location
 * mapped back to src/*.ts through lib's inline source maps.
 *
 *   node bench/.work/js/bench/cpuprofile.js <file.cpuprofile> <out.json> [top]
 */
import * as fs from 'fs';
import { SourceMap } from 'module';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { ROOT, writeJson } from './common';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** One profiled function, located in the repository (src/*.ts when lib's source map says so). */
export interface HotFunction {
  readonly function: string;
  readonly location: string;
  readonly ms: number;
  readonly percent: number;
}

const sourceMaps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
  if (!sourceMaps.has(file)) {
    let map: SourceMap | undefined;
    try {
      const text = fs.readFileSync(file, 'utf8');
      const m = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(text);
      if (m) map = new SourceMap(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')));
    } catch {
      map = undefined;
    }
    sourceMaps.set(file, map);
  }
  return sourceMaps.get(file);
}

/** `file:line` relative to the repository, 1-based, through the source map when there is one. */
function locate(frame: CallFrame): string {
  if (!frame.url) return '(native)';
  let file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  let line = frame.lineNumber + 1;
  if (path.isAbsolute(file)) {
    const entry = sourceMapOf(file)?.findEntry(frame.lineNumber, frame.columnNumber) as any;
    if (entry && entry.originalSource) {
      const orig = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource;
      file = path.resolve(path.dirname(file), orig);
      line = entry.originalLine + 1;
    }
    file = path.relative(ROOT, file);
  }
  return `${file}:${line}`;
}

export function summarize(profile: Profile, top: number) {
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;

  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}\t${locate(n.callFrame)}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    self.set(key(node), (self.get(key(node)) ?? 0) + us);
    // Inclusive: credit each distinct function once per sample stack (recursion counted once).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const rows = (m: Map<string, number>, filter: (loc: string) => boolean): HotFunction[] => [...m.entries()]
    .map(([k, us]) => {
      const [fn, loc] = k.split('\t');
      return { function: fn, location: loc, ms: us / 1000, percent: (100 * us) / totalUs };
    })
    .filter(r => filter(r.location) && !['(root)', '(program)', '(idle)', '(garbage collector)'].includes(r.function))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
  const gc = [...self.entries()].filter(([k]) => k.startsWith('(garbage collector)')).reduce((s, [, us]) => s + us, 0);
  return {
    totalMs: totalUs / 1000,
    gcMs: gc / 1000,
    selfTop: rows(self, () => true),
    libraryInclusiveTop: rows(inclusive, loc => loc.startsWith('src/') || loc.startsWith('lib/')),
  };
}

if (require.main === module) {
  const [file, out, topArg] = process.argv.slice(2);
  if (!file || !out) throw new Error('usage: cpuprofile.js <file.cpuprofile> <out.json> [top]');
  const summary = summarize(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile, Number(topArg ?? 12));
  writeJson(out, { profile: path.relative(ROOT, file), ...summary });
}
