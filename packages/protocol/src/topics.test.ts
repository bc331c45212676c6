import t from 'tap';
import {
  agentTopic,
  allAgentsTopic,
  bytesToIp,
  bytesToMac,
  ipToBytes,
  macToBytes,
  parseAgentTopic,
} from './index.js';

t.test('agent topics are built and parsed symmetrically', async (t) => {
  t.equal(agentTopic('site-7_a', 'telemetry'), 'hashinsight/v1/agent/site-7_a/telemetry');
  t.same(parseAgentTopic('hashinsight/v1/agent/site-7_a/telemetry'), {
    agentId: 'site-7_a',
    kind: 'telemetry',
  });
  t.equal(allAgentsTopic('state'), 'hashinsight/v1/agent/+/state');
});

t.test('hostile agent ids and foreign topics are refused', async (t) => {
  for (const id of ['', '+', '#', 'a/b', 'a b', '../x', 'x'.repeat(65), 'é', 'a\u0000b']) {
    t.throws(() => agentTopic(id, 'state'), { code: 'PROTOCOL_BAD_TOPIC' }, JSON.stringify(id));
  }
  for (const topic of [
    'hashinsight/v1/agent/a/unknown',
    'hashinsight/v2/agent/a/telemetry',
    'hashinsight/v1/agent/a/telemetry/extra',
    'hashinsight/v1/agent/+/telemetry',
    '$SYS/broker/uptime',
    '',
  ]) {
    t.throws(() => parseAgentTopic(topic), { code: 'PROTOCOL_BAD_TOPIC' }, topic);
  }
});

t.test('addresses convert both ways and refuse junk', async (t) => {
  t.same([...ipToBytes('127.1.0.20')], [127, 1, 0, 20]);
  t.equal(bytesToIp(ipToBytes('127.1.0.20')), '127.1.0.20');
  t.equal(bytesToIp(ipToBytes('fe80::1')), 'fe80:0:0:0:0:0:0:1');
  t.equal(bytesToIp(ipToBytes('::1')), '0:0:0:0:0:0:0:1');
  t.same([...ipToBytes('::ffff:10.0.0.5')], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 0, 5]);
  t.equal(bytesToMac(macToBytes('AA-BB-CC-00-11-22')), 'aa:bb:cc:00:11:22');
  t.equal(bytesToIp(new Uint8Array(0)), '');
  t.throws(() => ipToBytes('300.1.1.1'), { code: 'PROTOCOL_INVALID' });
  t.throws(() => macToBytes('aa:bb'), { code: 'PROTOCOL_INVALID' });
  t.throws(() => bytesToIp(new Uint8Array(5)), { code: 'PROTOCOL_INVALID' });
  t.throws(() => bytesToMac(new Uint8Array(7)), { code: 'PROTOCOL_INVALID' });
});
