import { performance } from 'node:perf_hooks';
import t from 'tap';
import { htmlTitle, judgeResponse, WebStatusError } from './response.js';

const bytes = (text: string) => Buffer.from(text);

t.test('2xx: JSON parsed (blank lines before it tolerated), or text as is', async (t) => {
  t.same(judgeResponse(200, bytes('\n\n{"blink":false}\n'), 'json'), {
    status: 200,
    text: '\n\n{"blink":false}\n',
    json: { blink: false },
  });
  t.same(judgeResponse(200, bytes('ok\nok\n'), 'text'), { status: 200, text: 'ok\nok\n' });
  t.same(judgeResponse(204, bytes(''), 'text'), { status: 204, text: '' });
});

t.test('JSON expected but not there', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /^empty body where JSON was expected$/],
    ['  \n', /^empty body where JSON was expected$/],
    [
      '<html><head><title>\n Miner  Status </title></head></html>',
      /^HTML where JSON was expected \(Miner Status\)$/,
    ],
    ['<p>no title</p>', /^HTML where JSON was expected$/],
    ['{"pools":[{"pass":"secret-pool-pw"', /^body is not JSON \(34 bytes\)$/],
  ];
  for (const [body, message] of cases) {
    t.throws(() => judgeResponse(200, bytes(body), 'json'), { code: 'MINER_BAD_REPLY', message }, body);
  }
});

t.test('redirects are refused, error statuses are WebStatusErrors', async (t) => {
  for (const status of [301, 302, 303, 307, 308]) {
    t.throws(() => judgeResponse(status, bytes(''), 'json'), {
      code: 'MINER_BAD_REPLY',
      message: `HTTP ${status} redirect not followed`,
    });
  }
  const page = '<html><head><title>500 - Internal Server Error</title></head></html>';
  const error = (() => {
    try {
      judgeResponse(500, bytes(page), 'text');
    } catch (e) {
      return e;
    }
  })();
  t.ok(error instanceof WebStatusError);
  t.match(error, { name: 'MinerError', code: 'MINER_COMMAND_FAILED', status: 500 });
  t.equal((error as Error).message, 'HTTP 500: 500 - Internal Server Error');
  t.throws(() => judgeResponse(403, bytes(''), 'json'), { status: 403, message: 'HTTP 403' });
});

t.test('htmlTitle only looks at the head of the page and stays cheap', async (t) => {
  t.equal(htmlTitle('<TITLE lang="en">401 - Unauthorized</TITLE>'), '401 - Unauthorized');
  t.equal(htmlTitle(`${' '.repeat(5000)}<title>late</title>`), undefined);
  const start = performance.now();
  htmlTitle('<title'.repeat(200_000));
  t.ok(performance.now() - start < 200);
});
