// The approval policy and the canonical hash as tables: which commands need a second operator, and that the hash an
// approval binds changes with every field that matters and with nothing that does not.
import t from 'tap';
import { type CanonicalCommand, canonicalJson, commandHash, requestHash } from './canonical.js';
import { approvalReason, DEFAULT_COMMAND_POLICY } from './policy.js';

const site = (entries: [string | null, number][]) => new Map(entries);

t.test('approval policy', async (t) => {
  const p = DEFAULT_COMMAND_POLICY;
  const cases: [string, Parameters<typeof approvalReason>[1], boolean][] = [
    [
      '10 of 100 miners',
      {
        type: 'reboot',
        wholeSite: false,
        targetsPerSite: site([['s', 10]]),
        minersPerSite: site([['s', 100]]),
      },
      false,
    ],
    [
      '20 of 100 (exactly 20%)',
      {
        type: 'reboot',
        wholeSite: false,
        targetsPerSite: site([['s', 20]]),
        minersPerSite: site([['s', 100]]),
      },
      false,
    ],
    [
      '21 of 100',
      {
        type: 'reboot',
        wholeSite: false,
        targetsPerSite: site([['s', 21]]),
        minersPerSite: site([['s', 100]]),
      },
      true,
    ],
    [
      '50 over two big sites',
      {
        type: 'reboot',
        wholeSite: false,
        targetsPerSite: site([
          ['s', 25],
          ['t', 25],
        ]),
        minersPerSite: site([
          ['s', 1000],
          ['t', 1000],
        ]),
      },
      false,
    ],
    [
      '51 over two big sites',
      {
        type: 'reboot',
        wholeSite: false,
        targetsPerSite: site([
          ['s', 26],
          ['t', 25],
        ]),
        minersPerSite: site([
          ['s', 1000],
          ['t', 1000],
        ]),
      },
      true,
    ],
    [
      'miners without a site count only toward the total',
      { type: 'reboot', wholeSite: false, targetsPerSite: site([[null, 5]]), minersPerSite: site([]) },
      false,
    ],
    [
      'one pool change',
      {
        type: 'set_pools',
        wholeSite: false,
        targetsPerSite: site([['s', 1]]),
        minersPerSite: site([['s', 1000]]),
      },
      false,
    ],
    [
      'pools for a whole site by siteId',
      {
        type: 'set_pools',
        wholeSite: true,
        targetsPerSite: site([['s', 1]]),
        minersPerSite: site([['s', 1]]),
      },
      true,
    ],
    [
      'pools for every miner of a site by list',
      {
        type: 'set_pools',
        wholeSite: false,
        targetsPerSite: site([['s', 3]]),
        minersPerSite: site([['s', 3]]),
      },
      true,
    ],
    [
      'any credential change',
      {
        type: 'update_credentials',
        wholeSite: false,
        targetsPerSite: site([['s', 1]]),
        minersPerSite: site([['s', 1000]]),
      },
      true,
    ],
  ];
  for (const [name, input, needed] of cases) t.equal(approvalReason(p, input) !== '', needed, name);
  const loose = { ...p, approvalMaxTargets: 1000, approvalMaxSitePct: 100 };
  t.equal(
    approvalReason(loose, {
      type: 'reboot',
      wholeSite: true,
      targetsPerSite: site([['s', 500]]),
      minersPerSite: site([['s', 500]]),
    }),
    '',
    'configurable: a looser policy lets a site-wide reboot go alone',
  );
});

t.test('canonical hash', async (t) => {
  const base: CanonicalCommand = {
    tenantId: 't1',
    type: 'reboot',
    params: { on: true, durationS: 0 },
    notBefore: 1,
    expiresAt: 2,
    effectTimeoutS: 0,
    rolloutPerMinute: 50,
    abortThresholdPct: 10,
    abortMinExecuted: 20,
    targets: [
      { agentId: 'a', minerId: 'm1', credentialId: null, credentialVersion: null },
      { agentId: 'a', minerId: 'm2', credentialId: null, credentialVersion: null },
    ],
  };
  const hash = commandHash(base);
  t.match(hash, /^[0-9a-f]{64}$/);
  t.equal(
    commandHash({ ...base, params: { durationS: 0, on: true }, targets: [...base.targets].reverse() }),
    hash,
    'key order and target order do not matter',
  );
  const changes: Partial<CanonicalCommand>[] = [
    { tenantId: 't2' },
    { type: 'wake' },
    { params: { on: false, durationS: 0 } },
    { notBefore: 3 },
    { expiresAt: 3 },
    { effectTimeoutS: 1 },
    { rolloutPerMinute: 51 },
    { abortThresholdPct: 11 },
    { abortMinExecuted: 21 },
    { targets: base.targets.slice(1) },
    {
      targets: [
        ...base.targets,
        { agentId: 'b', minerId: 'm1', credentialId: null, credentialVersion: null },
      ],
    },
    { targets: [{ ...(base.targets[0] as CanonicalCommand['targets'][number]), credentialVersion: 2 }] },
  ];
  for (const change of changes) {
    t.not(commandHash({ ...base, ...change }), hash, `changes with ${Object.keys(change)[0]}`);
  }
  t.equal(canonicalJson({ b: [1, { d: null, c: 'x' }], a: undefined }), '{"b":[1,{"c":"x","d":null}]}');
  const key = Buffer.alloc(32, 1);
  t.equal(requestHash(key, { a: 1, b: 2 }), requestHash(key, { b: 2, a: 1 }));
  t.not(requestHash(key, { a: 1 }), requestHash(Buffer.alloc(32, 2), { a: 1 }), 'keyed');
});
