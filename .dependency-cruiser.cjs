// The house's dependency direction (see docs/adr/0001-layout-and-dependency-direction.md). `npm run deps` checks it.
module.exports = {
  forbidden: [
    {
      name: 'packages-stay-below-apps',
      comment: 'Shared packages never import the agent, the cloud or the system tests.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^(agent|cloud|tests)/' },
    },
    {
      name: 'agent-and-cloud-meet-only-through-protocol',
      comment:
        'The agent and the cloud never import each other; proto/ via packages/protocol is their contract.',
      severity: 'error',
      from: { path: '^(agent|cloud)/' },
      to: { path: '^(agent|cloud)/', pathNot: '^$1/' },
    },
    {
      name: 'miners-know-nothing-of-proto',
      comment: 'Drivers return a domain Reading; the agent maps it to proto.',
      severity: 'error',
      from: { path: '^packages/miners/' },
      to: { path: '^packages/protocol/|protobufjs' },
    },
    {
      name: 'dev-only-packages-stay-out-of-production',
      comment: 'The simulator and the testkit are for tests, demos and benchmarks only.',
      severity: 'error',
      from: {
        path: '^(agent|cloud|packages/(protocol|miners|vault))/src/',
        pathNot: ['\\.test\\.ts$', '/test/'],
      },
      to: { path: '^packages/(simulator|testkit)/' },
    },
    {
      name: 'modules-through-their-index',
      comment:
        'An agent module, a cloud feature or a firmware driver is reached from outside only through its index.ts.',
      severity: 'error',
      from: {
        path: '^(agent/src|cloud/src/features|packages/miners/src/drivers)/([^/]+)/',
        pathNot: '\\.test\\.ts$',
      },
      to: {
        path: '^(agent/src|cloud/src/features|packages/miners/src/drivers)/[^/]+/',
        pathNot: ['^$1/$2/', '/index\\.ts$'],
      },
    },
    {
      name: 'console-is-a-browser-bundle',
      comment:
        'The web console (cloud/web) reaches the cloud over HTTP only: it imports no server code, and no server code imports it.',
      severity: 'error',
      from: { path: '^cloud/web/' },
      to: { path: '^(cloud/src|agent|packages|tests)/' },
    },
    {
      name: 'server-never-imports-the-console',
      severity: 'error',
      from: { path: '^(cloud/src|agent|packages)/' },
      to: { path: '^cloud/web/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Workspace packages resolve to their dist/ through node_modules links: record those edges, don't follow them.
    doNotFollow: { path: ['node_modules', '/dist/'] },
    exclude: { path: '(^|/)generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.d.ts'],
    },
  },
};
