import t from 'tap';
import { buildCreateBody, type ComposerForm, initialForm } from './commands-params';

const form = (patch: Partial<ComposerForm>): ComposerForm => ({ ...initialForm(), ...patch });
const site = { siteId: 's1' };

t.test('types without parameters send none', async (t) => {
  for (const type of ['reboot', 'restart_mining', 'wake'] as const) {
    t.same(buildCreateBody(form({ type }), site), { body: { type, targets: site }, problems: [] });
  }
});

t.test('set_pools: 1-3 pools; a password only when typed, as typed', async (t) => {
  const built = buildCreateBody(
    form({
      type: 'set_pools',
      pools: [
        { url: ' stratum+tcp://pool.example:3333 ', user: 'acct.w1', password: '' },
        { url: 'stratum+ssl://b.example:443', user: 'acct.w1', password: ' x y ' },
      ],
    }),
    site,
  );
  t.same(built.body?.params, {
    pools: [
      { url: 'stratum+tcp://pool.example:3333', user: 'acct.w1' },
      { url: 'stratum+ssl://b.example:443', user: 'acct.w1', password: ' x y ' },
    ],
  });
  const missing = buildCreateBody(form({ type: 'set_pools' }), site);
  t.equal(missing.body, undefined);
  t.same(
    missing.problems.map((p) => p.field),
    ['pool-0-url', 'pool-0-user'],
  );
  const four = buildCreateBody(
    form({
      type: 'set_pools',
      pools: Array.from({ length: 4 }, (_, i) => ({ url: `stratum+tcp://p${i}:1`, user: 'u', password: '' })),
    }),
    site,
  );
  t.equal((four.body?.params?.pools as unknown[] | undefined)?.length, 3, 'never more than three pools');
});

t.test('led: on with an optional duration, off', async (t) => {
  t.same(buildCreateBody(form({ type: 'led', ledOn: true }), site).body?.params, { on: true });
  t.same(buildCreateBody(form({ type: 'led', ledOn: true, ledDurationS: '300' }), site).body?.params, {
    on: true,
    durationS: 300,
  });
  t.same(buildCreateBody(form({ type: 'led', ledOn: false }), site).body?.params, { on: false });
  for (const bad of ['-1', '1.5', '86401', 'ten', '1e3']) {
    const built = buildCreateBody(form({ type: 'led', ledDurationS: bad }), site);
    t.same(
      built.problems.map((p) => [p.field, p.message]),
      [['led-duration', 'commands.problemRange']],
      bad,
    );
  }
});

t.test('power mode and power limit', async (t) => {
  t.same(buildCreateBody(form({ type: 'power_mode', powerMode: 'sleep' }), site).body?.params, {
    mode: 'sleep',
  });
  t.same(buildCreateBody(form({ type: 'power_limit_w', powerLimitW: '3250' }), site).body?.params, {
    watts: 3250,
  });
  t.same(
    buildCreateBody(form({ type: 'power_limit_w' }), site).problems.map((p) => p.message),
    ['commands.problemRequired'],
  );
  t.same(buildCreateBody(form({ type: 'power_limit_w', powerLimitW: '99' }), site).problems[0]?.vars, {
    min: 100,
    max: 20_000,
  });
});

t.test('update_credentials: generated, or one password', async (t) => {
  t.same(buildCreateBody(form({ type: 'update_credentials', loginUsername: 'root' }), site).body?.params, {
    purpose: 'web',
    username: 'root',
    generate: true,
  });
  t.same(
    buildCreateBody(
      form({
        type: 'update_credentials',
        loginPurpose: 'api',
        loginUsername: 'admin',
        loginGenerate: false,
        loginPassword: 's3cret',
      }),
      site,
    ).body?.params,
    { purpose: 'api', username: 'admin', password: 's3cret' },
  );
  t.same(
    buildCreateBody(form({ type: 'update_credentials', loginGenerate: false }), site).problems.map(
      (p) => p.field,
    ),
    ['login-username', 'login-password'],
  );
});

t.test('expiry in minutes becomes seconds; rollout only with what was typed', async (t) => {
  const built = buildCreateBody(
    form({ expiresInMinutes: '90', rolloutPerMinute: '25', abortThresholdPct: '' }),
    { miners: [{ agentId: 'a', minerId: 'm' }] },
  );
  t.same(built.body, {
    type: 'reboot',
    targets: { miners: [{ agentId: 'a', minerId: 'm' }] },
    expiresInSeconds: 5400,
    rollout: { perMinute: 25 },
  });
  const bad = buildCreateBody(
    form({ expiresInMinutes: '0', rolloutPerMinute: '10001', abortThresholdPct: '101' }),
    site,
  );
  t.same(
    bad.problems.map((p) => p.field),
    ['expires', 'rollout-per-minute', 'abort-threshold'],
  );
});

t.test('hostile input is passed to the cloud as text, never interpreted', async (t) => {
  const built = buildCreateBody(
    form({
      type: 'set_pools',
      pools: [{ url: '<img src=x onerror=alert(1)>', user: '{user}', password: '' }],
    }),
    site,
  );
  t.same(built.body?.params, { pools: [{ url: '<img src=x onerror=alert(1)>', user: '{user}' }] });
});
