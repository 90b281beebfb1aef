/** Paths of the real tools built by e2e/tools/build.sh (exported by e2e/run.sh). */
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const WORK = path.join(ROOT, 'e2e', '.work');

/** The path of a tool from its environment variable; fails loudly if it is missing. */
export function tool(envVar: string): string {
  const p = process.env[envVar];
  if (!p || !fs.existsSync(p)) {
    throw new Error(`${envVar} is not set or does not exist (${p}); run the suite through e2e/run.sh, which builds the tools`);
  }
  return p;
}

/** The synthesized example outputs in dist/ (the README's synth command writes them). */
export function distFiles(suffix: string): string[] {
  const dist = path.join(ROOT, 'dist');
  const files = fs.existsSync(dist) ? fs.readdirSync(dist).filter(f => f.endsWith(suffix)).sort() : [];
  if (files.length === 0) throw new Error(`no dist/*${suffix}: run 'npx projen synth:examples' first`);
  return files.map(f => path.join(dist, f));
}
