import { cdk8s, javascript, JsonFile, release } from 'projen';

// Node.js: the releases jsii supports (it prints an end-of-life banner on any other). The same
// range is in the README's requirements; .ci/run tests each major it names, the baseline first.
const NODE_BASELINE = '22';
const NODE_SUPPORTED = '^22 || ^24';

const project = new cdk8s.ConstructLibraryCdk8s({
  author: 'cdk8s-prometheus developers',
  authorAddress: 'dev@cdk8s-prometheus.local',
  name: 'cdk8s-prometheus',
  description: 'Typed, validated, secure-by-default Prometheus monitoring for Kubernetes, as cdk8s constructs',
  keywords: ['cdk8s', 'kubernetes', 'prometheus', 'monitoring', 'cadvisor', 'kube-state-metrics'],
  repositoryUrl: 'https://example.invalid/cdk8s-prometheus.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: `${NODE_BASELINE}.0.0`,
  license: 'Apache-2.0',

  cdk8sVersion: '2.70.106',
  constructsVersion: '10.8.1',
  jsiiVersion: '~6.0.0',
  // cdk8s-plus-27 is a peer: the user's app owns the single copy.
  peerDeps: ['cdk8s-plus-27@^2.9.5'],

  // Bindings built by `npx projen package-all` into dist/{js,python,go}. No Java: cdk8s-plus-27
  // has no artifact on Maven Central (org.cdk8s:cdk8s-plus-27 answers 404), so a Java package of
  // this library could not resolve its dependencies.
  publishToPypi: { distName: 'cdk8s-prometheus', module: 'cdk8s_prometheus' },
  publishToGo: { moduleName: 'github.com/cdk8s-prometheus/cdk8s-prometheus-go', packageName: 'cdk8sprometheus' },
  // Not jsii modules: shipped inside our tarball.
  bundledDeps: ['re2js@2.10.0', '@prometheus-io/lezer-promql@0.315.0', '@lezer/lr@^1.4.12', '@lezer/highlight@^1.2.5', '@lezer/common@^1.2.3'],
  devDeps: [
    'dependency-cruiser@^17.4.3',
    'kubernetes-models@4.5.1',
    'yaml@^2.9.1',
  ],

  // No GitHub: our CI is .ci/run.
  github: false,
  // Releases are cut by a maintainer with one command (`npx projen release`, then
  // `npx projen publish:git`): the version is bumped from the Conventional Commits since the last
  // tag, CHANGELOG.md is generated from them, the packages are built and tested, and a git tag is
  // made. Publishing dist/ to the registries is `npx projen publish:all` (publib, with the tokens).
  release: true,
  releaseTrigger: release.ReleaseTrigger.manual({ changelog: true, changelogPath: 'CHANGELOG.md', gitPushCommand: 'git push --follow-tags origin main' }),
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  eslintOptions: { dirs: ['src'], devdirs: ['test', 'build-tools'], commandOptions: { fix: false } },
  jestOptions: {
    // Snapshot drift must fail the run; `npm run test:update` refreshes on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 60_000,
    },
  },
  tsconfigDev: {
    include: ['../examples/**/*.ts', '../e2e/**/*.ts', '../bench/**/*.ts'],
    compilerOptions: {},
  },
  gitignore: ['/dist/', '/.cache/', '/e2e/.work/', '/bench/.work/'],
});

// engines.node: minNodeVersion alone would render ">= 22.0.0"; the supported range is narrower.
project.package.addEngine('node', NODE_SUPPORTED);

// Imports flow one way through the layers of src/ (.dependency-cruiser.cjs, CONTRIBUTING.md).
const lintDeps = project.addTask('lint:deps', {
  description: 'imports flow one way through the layers of src/: no cycle, no upward import',
  exec: 'depcruise src --config .dependency-cruiser.cjs',
});
project.testTask.spawn(lintDeps);

// `eslint` (run by `test`, so by CI) only checks: lint drift fails as lint. Fixing is the local
// `eslint:fix` task.
project.addTask('eslint:fix', {
  description: 'eslint, fixing what it can',
  exec: 'projen eslint --fix',
});

// jsii never cleans lib/: stale .js files would otherwise be packed.
project.preCompileTask.exec('rm -rf lib');

// The README's first command: synthesize the example stacks into dist/*.k8s.yaml.
project.addTask('synth:examples', {
  description: 'synthesize examples/*.ts into dist/<example>/*.k8s.yaml',
  exec: 'ts-node --project examples/tsconfig.json examples/synth.ts',
});

project.addTask('e2e', {
  description: 'end-to-end suite against the real promtool, Prometheus and kube-apiserver',
  exec: 'bash e2e/run.sh',
  receiveArgs: true,
});

// Go modules are published as source: generate only. (jsii-pacmak's compile check fetches
// cdk8s-core-go from the Go module proxy, which refuses it here; e2e/packaging.test.ts compiles
// and runs the generated module against locally generated cdk8s bindings instead.)
project.tasks.tryFind('package:go')?.reset('jsii-pacmak -v --target go --code-only');

project.addTask('e2e:packaging', {
  description: 'the built packages (npm, PyPI, Go) run the quick start in fresh apps (needs the package registries)',
  exec: 'node --require ts-node/register --test --test-reporter=spec e2e/packaging.test.ts',
  env: { TS_NODE_PROJECT: 'e2e/tsconfig.json', TS_NODE_TRANSPILE_ONLY: '1' },
});

// After `npx projen release` (bump, build and test, CHANGELOG.md, tag): publish the built dist/
// to npm, PyPI and the Go repository with publib (NPM_TOKEN, TWINE_USERNAME/TWINE_PASSWORD,
// GITHUB_TOKEN), one command.
project.addTask('publish:all', {
  description: 'publish dist/ to npm, PyPI and the Go module repository (after `npx projen release`)',
  exec: 'npx -y publib@0 publib-npm && npx -y publib@0 publib-pypi && npx -y publib@0 publib-golang',
});

project.addTask('bench', {
  description: 'benchmarks: synth overhead, scaling and scrape cardinality',
  exec: 'bash bench/run.sh',
  receiveArgs: true,
});

for (const p of ['/examples/', '/e2e/', '/bench/', '/.ci/', '/dist/']) {
  project.npmignore?.exclude(p);
}

// examples/, e2e/ and bench/ are type-checked TypeScript outside src/ and test/.
for (const dir of ['examples', 'e2e', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../test/tsconfig.json', include: ['**/*.ts', '../src/**/*.ts'] },
    marker: false,
  });
}

project.eslint?.addLintPattern('examples');
for (const dir of ['e2e', 'bench', 'examples']) project.eslint?.allowDevDeps(`${dir}/**`);
// node:test's test() returns a promise the runner itself awaits.
project.eslint?.addOverride({ files: ['e2e/**/*.test.ts'], rules: { '@typescript-eslint/no-floating-promises': 'off' } });
project.eslint?.addLintPattern('e2e');
project.eslint?.addLintPattern('bench');

project.synth();
