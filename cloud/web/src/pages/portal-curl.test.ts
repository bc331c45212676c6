import { execFileSync } from 'node:child_process';
import t from 'tap';
import { portalCurlExample, shellQuote } from './portal-curl';

t.test('the example calls the summary with the key in the header', async (t) => {
  t.equal(
    portalCurlExample('https://cloud.example', 'hik_abc'),
    `curl -s 'https://cloud.example/api/v1/portal/summary' -H 'authorization: ApiKey hik_abc'`,
  );
  t.equal(
    portalCurlExample('http://127.0.0.1:8420', 'hik_x', '/api/v1/portal/miners?limit=100'),
    `curl -s 'http://127.0.0.1:8420/api/v1/portal/miners?limit=100' -H 'authorization: ApiKey hik_x'`,
  );
});

t.test('hostile text stays one literal word for a real shell', async (t) => {
  for (const value of ["it's", '$(touch pwned)', '`id`', "a'; rm -rf / #", '\\"\n', '', "''''"]) {
    const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' });
    t.equal(echoed, value, JSON.stringify(value));
  }
});
