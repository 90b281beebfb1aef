/**
 * The layers of src/ and the one direction imports flow in (CONTRIBUTING.md, docs/adr/0006).
 * An import may go to its own layer or a lower one, never up. Run by `npx projen lint:deps`,
 * which `npx projen test` (and so CI) runs.
 */
const LAYERS = ['model', 'rules', 'render', 'scrapes', 'components', 'probes', 'stack'];
const above = layer => LAYERS.slice(LAYERS.indexOf(layer) + 1);

// The only imports that go back up: type-only imports of PrometheusStack, so that the public
// `prometheus` property of ScrapeJob and PrometheusRuleGroup keeps its type (jsii-diff forbids
// narrowing it to IPrometheus). They vanish at compile time.
const EXCEPTIONS = { scrapes: 'src/scrapes/scrape-job.ts', rules: 'src/rules/prometheus-rule-group.ts' };
const STACK_CLASS = '^src/stack/prometheus-stack[.]ts$';
const exact = file => `^${file.replace(/[.]/g, '[.]')}$`;

const upward = LAYERS.slice(0, -1).map(layer => ({
  name: `no-upward-import-from-${layer}`,
  comment: `src/${layer}/ may import only ${LAYERS.slice(0, LAYERS.indexOf(layer) + 1).join(', ')} (and packages)`,
  severity: 'error',
  from: { path: `^src/${layer}/`, pathNot: EXCEPTIONS[layer] ? exact(EXCEPTIONS[layer]) : undefined },
  to: { path: `^src/(${above(layer).join('|')})/` },
}));

const exceptions = Object.entries(EXCEPTIONS).flatMap(([layer, file]) => [
  {
    name: `upward-from-${layer}-only-to-the-stack-class`,
    severity: 'error',
    from: { path: exact(file) },
    to: { path: `^src/(${above(layer).join('|')})/`, pathNot: STACK_CLASS },
  },
  {
    name: `upward-from-${layer}-only-type-only`,
    severity: 'error',
    from: { path: exact(file) },
    to: { path: STACK_CLASS, dependencyTypesNot: ['type-only'] },
  },
]);

module.exports = {
  forbidden: [
    ...upward,
    ...exceptions,
    {
      name: 'no-circular',
      comment: 'no cycle of runtime imports (the type-only exceptions close no runtime cycle)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-cycle-within-a-layer',
      comment: 'not even a type-only one',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { circular: true, viaOnly: { path: '^src/$1/' } },
    },
    {
      name: 'every-module-in-a-layer',
      comment: 'src/ holds index.ts (which nothing imports) and the layer folders: no module outside a layer',
      severity: 'error',
      from: {},
      to: { path: '^src/[^/]+[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    includeOnly: '^src/',
  },
};
