import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { freePort, loopbackAllocator } from '@hashinsight/testkit';
import t from 'tap';
import { MinerError } from '../../errors.js';
import { fixture } from '../../fixtures/fixture.js';
import { corpusMissing, corpusReply } from '../../test/recorded.js';
import { cgminerCommand, cgminerMulti } from './client.js';

type Teardown = { teardown(fn: () => unknown): void };

/** A one-off TCP peer on a fresh loopback IP; `onRequest` plays the miner once the request has arrived. */
async function peer(t: Teardown, onRequest: (socket: Socket, request: string) => void) {
  const [host] = loopbackAllocator.take(1) as [string];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // the client hangs up on purpose in several of these tests
    socket.once('data', (chunk) => onRequest(socket, chunk.toString()));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { host, port: (server.address() as AddressInfo).port };
}

/** Runs `fn` and returns how long it took to settle, in ms. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn().catch(() => {});
  return performance.now() - start;
}

const summary = fixture('antminer-bmminer/summary.json');

t.test('sends one JSON request and reads the reply up to its NUL', async (t) => {
  let received = '';
  const { host, port } = await peer(t, (socket, request) => {
    received = request;
    socket.write(summary); // and keeps the connection open: the NUL alone ends the reply
  });
  const reply = await cgminerCommand(host, 'summary', undefined, { port });
  t.equal(received, '{"command":"summary"}');
  t.equal(reply.status.msg, 'Summary');
  t.match(reply.body.SUMMARY, [{ 'GHS 5s': 110566.89 }]);
});

t.test('sends the parameter when there is one', async (t) => {
  let received = '';
  const { host, port } = await peer(t, (socket, request) => {
    received = request;
    socket.end(summary);
  });
  await cgminerCommand(host, 'ascset', '0,led,1-1', { port });
  t.same(JSON.parse(received), { command: 'ascset', parameter: '0,led,1-1' });
});

t.test('the text form: `command|parameter` out, a text reply decoded', { skip: corpusMissing }, async (t) => {
  const received: string[] = [];
  const replies: Record<string, string> = {
    summary: 'cgminer/summary.txt',
    'ascset|0,led,1-1': 'avalon/ascset_led_on.response.txt',
  };
  const { host, port } = await peer(t, (socket, request) => {
    received.push(request);
    socket.end(corpusReply(replies[request] ?? 'cgminer/pools.txt'));
  });
  const summary = await cgminerCommand(host, 'summary', undefined, { port, form: 'text' });
  t.match(summary, { status: { code: 11 }, body: { SUMMARY: [{ 'GHS 5s': 192.56 }] } });
  const led = await cgminerCommand(host, 'ascset', '0,led,1-1', { port, form: 'text' });
  t.equal(led.status.msg, 'ASC 0 set OK');
  t.same(received, ['summary', 'ascset|0,led,1-1']);
});

t.test('joined commands come back one reply (or error) per member', { skip: corpusMissing }, async (t) => {
  let received = '';
  const { host, port } = await peer(t, (socket, request) => {
    received = request;
    socket.end(corpusReply('avalon/multi.pools+summary+stats.a10xx.json'));
  });
  const replies = await cgminerMulti(host, ['summary', 'stats', 'pools'], { port });
  t.equal(received, '{"command":"summary+stats+pools"}');
  t.match(replies.get('summary'), { status: { code: 11 }, body: { SUMMARY: [{ Elapsed: 155 }] } });
  t.match(replies.get('pools'), { status: { code: 7 } });

  const denied = await peer(t, (socket) =>
    socket.end(
      '{"summary":[{"STATUS":[{"STATUS":"S","Code":11}],"SUMMARY":[{}]}],' +
        '"devs":[{"STATUS":[{"STATUS":"E","Code":45,"Msg":"Access denied"}]}],"id":1}\0',
    ),
  );
  const partial = await cgminerMulti(denied.host, ['summary', 'devs'], { port: denied.port });
  t.notOk(partial.get('summary') instanceof MinerError);
  t.match(partial.get('devs'), {
    code: 'MINER_COMMAND_FAILED',
    message: `cgminer 'summary+devs' to ${denied.host}:${denied.port}: 'devs': STATUS E Code 45: Access denied`,
  });
});

t.test('a reply without NUL ends at EOF', async (t) => {
  const { host, port } = await peer(t, (socket) => socket.end(summary.subarray(0, -1)));
  const reply = await cgminerCommand(host, 'summary', undefined, { port });
  t.equal(reply.status.code, 11);
});

t.test('repairs }{ between objects', async (t) => {
  const broken =
    '{"STATUS":[{"STATUS":"S","Code":70}],"STATS":[{"Type":"Antminer S9"}{"GHS 5s":"13883.81"}],"id":1}';
  const { host, port } = await peer(t, (socket) => socket.end(`${broken}\0`));
  const reply = await cgminerCommand(host, 'stats', undefined, { port });
  t.same(reply.body.STATS, [{ Type: 'Antminer S9' }, { 'GHS 5s': '13883.81' }]);
});

t.test('garbage is a bad reply', async (t) => {
  const { host, port } = await peer(t, (socket) => socket.end(Buffer.from([0x9f, 0x41, 0xfe, 0x7b, 0x00])));
  await t.rejects(cgminerCommand(host, 'summary', undefined, { port }), { code: 'MINER_BAD_REPLY' });
});

t.test('STATUS E is a failed command', async (t) => {
  const denied =
    '{"STATUS":[{"STATUS":"E","When":1,"Code":45,"Msg":"Access denied to \'devdetails\' command"}],"id":1}';
  const { host, port } = await peer(t, (socket) => socket.end(`${denied}\0`));
  await t.rejects(cgminerCommand(host, 'devdetails', undefined, { port }), {
    code: 'MINER_COMMAND_FAILED',
    message: /Code 45: Access denied to 'devdetails' command/,
  });
});

t.test('a peer that closes without a word gives an empty reply, by FIN or by RST', async (t) => {
  const fin = await peer(t, (socket) => socket.end());
  await t.rejects(cgminerCommand(fin.host, 'summary', undefined, { port: fin.port }), {
    code: 'MINER_EMPTY_REPLY',
  });
  const rst = await peer(t, (socket) => socket.resetAndDestroy());
  await t.rejects(cgminerCommand(rst.host, 'summary', undefined, { port: rst.port }), {
    code: 'MINER_EMPTY_REPLY',
  });
});

t.test('silence after accept times out at the deadline', async (t) => {
  const { host, port } = await peer(t, () => {});
  const promise = cgminerCommand(host, 'summary', undefined, { port, timeoutMs: 400 });
  const elapsed = await timed(() => promise);
  await t.rejects(promise, { code: 'MINER_TIMEOUT' });
  t.ok(elapsed >= 395 && elapsed < 900, `timed out after ${Math.round(elapsed)} ms`);
});

t.test('a slow drip still ends at the deadline, not per byte', async (t) => {
  const { host, port } = await peer(t, (socket) => {
    let at = 0;
    const drip = setInterval(() => socket.write(summary.subarray(at, ++at)), 100);
    socket.on('close', () => clearInterval(drip));
  });
  const promise = cgminerCommand(host, 'summary', undefined, { port, timeoutMs: 600 });
  const elapsed = await timed(() => promise);
  await t.rejects(promise, { code: 'MINER_TIMEOUT' });
  t.ok(elapsed >= 595 && elapsed < 1100, `timed out after ${Math.round(elapsed)} ms`);
});

t.test('a 10 MB reply is cut off as soon as it passes the limit', async (t) => {
  const { host, port } = await peer(t, (socket) => socket.write(Buffer.alloc(10 * 1024 * 1024, 'a')));
  const promise = cgminerCommand(host, 'summary', undefined, { port });
  const elapsed = await timed(() => promise);
  await t.rejects(promise, { code: 'MINER_REPLY_TOO_LARGE' });
  t.ok(elapsed < 1000, `gave up after ${Math.round(elapsed)} ms`);
});

t.test('a RST in the middle of a reply fails typed', async (t) => {
  const half = summary.subarray(0, summary.length / 2);
  // Once the client has read the first half, the RST surfaces as ECONNRESET.
  const late = await peer(t, (socket) =>
    socket.write(half, () => setTimeout(() => socket.resetAndDestroy(), 100)),
  );
  await t.rejects(cgminerCommand(late.host, 'summary', undefined, { port: late.port }), {
    code: 'MINER_CONNECTION_RESET',
  });
  // When data and RST arrive together, Linux may report EOF instead: the half reply is then a bad reply.
  const early = await peer(t, (socket) => socket.write(half, () => socket.resetAndDestroy()));
  const error = await cgminerCommand(early.host, 'summary', undefined, { port: early.port }).catch((e) => e);
  t.match(error, { name: 'MinerError', code: /^MINER_(CONNECTION_RESET|BAD_REPLY)$/ });
});

t.test('a closed port is refused', async (t) => {
  const [host] = loopbackAllocator.take(1) as [string];
  const port = await freePort(host);
  await t.rejects(cgminerCommand(host, 'summary', undefined, { port }), {
    name: 'MinerError',
    code: 'MINER_CONNECT_REFUSED',
    message: `cgminer 'summary' to ${host}:${port}: connect ECONNREFUSED ${host}:${port}`,
  });
});

t.test('leaves no timer or socket behind', async (t) => {
  let closed: Promise<void> | undefined;
  const { host, port } = await peer(t, (socket) => {
    closed = new Promise((resolve) => socket.once('close', () => resolve()));
  });
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const before = timers();
  await t.rejects(cgminerCommand(host, 'summary', undefined, { port, timeoutMs: 100 }), {
    code: 'MINER_TIMEOUT',
  });
  t.equal(timers(), before, 'both timers cleared');
  await closed;
  t.pass('the miner saw the connection close');
});
