/**
 * The dependency rule of the design (§2), enforced in `npm test`.
 * Dependencies point inwards: adapters -> src/index.ts -> engine -> ports -> domain.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports only itself, luxon and zod.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^node_modules/(luxon|zod)/', '^node_modules/@types/luxon/'] },
    },
    {
      name: 'ports-see-only-domain',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { pathNot: ['^src/domain/', '^src/ports/'] },
    },
    {
      name: 'engine-sees-domain-and-ports',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { pathNot: ['^src/(domain|ports|engine)/', '^node_modules/(luxon|zod)/', '^node_modules/@types/luxon/'] },
    },
    {
      name: 'core-does-no-io',
      comment: 'Nothing in src/ touches node built-ins (fs, net, http, timers, process...).',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-never-imports-adapters',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(adapters|test|bench)/' },
    },
    {
      name: 'adapters-use-the-public-surface',
      comment: 'Adapters import the engine through src/index.ts only.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^src/', pathNot: '^src/index\\.ts$' },
    },
    {
      name: 'adapters-do-not-import-each-other',
      comment: 'Only the composition root (adapters/main) wires adapters together.',
      severity: 'error',
      from: { path: '^adapters/(?!main/)([^/]+)/' },
      to: { path: '^adapters/', pathNot: ['^adapters/$1/', '^adapters/shared/'] },
    },
    {
      name: 'botbuilder-stays-in-teams',
      comment: 'The Bot Framework SDK is archived upstream; a move must touch one folder (facts.md).',
      severity: 'error',
      from: { pathNot: '^adapters/(teams|local/teams-connector)/' },
      to: { path: '^node_modules/(botbuilder|botframework-)' },
    },
    {
      name: 'production-path-loads-no-local-code',
      comment:
        'keyless start (production) must not load the emulators, the playground or dynalite: only the playground module and cli.ts (dynamically, on the playground/emulator commands) reach them.',
      severity: 'error',
      from: { path: '^adapters/main/', pathNot: '^adapters/main/playground\\.ts$' },
      to: {
        path: ['^adapters/local/', '^adapters/main/playground\\.ts$', '^node_modules/(dynalite|esbuild|tsx)/'],
        dependencyTypesNot: ['dynamic-import'],
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-production-to-test',
      severity: 'error',
      from: { path: '^(src|adapters)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|coverage)/' },
  },
};
