/**
 * PromQL syntax checks at synth time, with the parser the Prometheus web UI itself uses
 * (`@prometheus-io/lezer-promql`, a bundled dependency). Semantic checks (types, functions' arity)
 * are promtool's, in the end-to-end suite.
 */

/** The slice of the lezer tree API we use (the package's own typings are ESM-only). */
interface SyntaxNodeRef {
  readonly from: number;
  readonly type: { readonly isError: boolean };
}
interface Tree {
  iterate(spec: { enter(node: SyntaxNodeRef): false | void }): void;
}
// The package ships CommonJS too (dist/index.cjs); only its typings are ESM.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: { parse(input: string): Tree } };

/** The first syntax error of a PromQL expression, or undefined. */
export function promqlSyntaxError(expr: string): { position: number; near: string } | undefined {
  if (expr.trim() === '') return { position: 0, near: '' };
  const tree = parser.parse(expr);
  let position: number | undefined;
  tree.iterate({
    enter: node => {
      if (position !== undefined) return false;
      if (node.type.isError) {
        position = node.from;
        return false;
      }
      return;
    },
  });
  if (position === undefined) return undefined;
  return { position, near: expr.slice(Math.max(0, position - 10), position + 10) };
}
