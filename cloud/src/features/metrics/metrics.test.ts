import t from 'tap';
import { recordEvent } from '../../platform/index.js';
import { buildTestApp } from '../../test/helpers.js';

const TOKEN = 'metrics-token-of-enough-length';

t.test('GET /metrics serves the Prometheus text format to loopback clients', async (t) => {
  const { app, db } = await buildTestApp(t);
  await app.inject({ method: 'GET', url: '/healthz' });
  await app.inject({ method: 'GET', url: '/api/miners' }); // 401: counted under its route pattern
  await recordEvent(db, { type: 'agent.online', tenantId: null, payload: {} });
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const text = response.body;
  t.match(text, /hashinsight_http_requests_total\{method="GET",route="\/healthz",status_code="200"\} 1/);
  t.match(text, /hashinsight_http_requests_total\{method="GET",route="\/api\/miners",status_code="401"\} 1/);
  t.match(
    text,
    /hashinsight_http_request_duration_seconds_bucket\{le="0.001",method="GET",route="\/healthz"/,
  );
  t.match(text, /hashinsight_events_outbox_pending 1/);
  t.match(text, /hashinsight_broker_up 1/);
  t.match(text, /hashinsight_agents_online 0/);
  t.match(text, /hashinsight_process_resident_memory_bytes \d+/);
  t.match(text, /hashinsight_process_cpu_seconds_total \d/);
  t.match(text, /hashinsight_nodejs_eventloop_lag_seconds /);
  t.match(text, /hashinsight_ingest_samples_stored \d+/);
  t.match(text, /hashinsight_cache_lookups\{outcome="hit"\} 0/);
});

t.test('without a token, /metrics refuses clients off loopback', async (t) => {
  const { app } = await buildTestApp(t);
  const response = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' });
  t.equal(response.statusCode, 403);
  t.match(response.json(), { success: false, code: 'METRICS_FORBIDDEN' });
});

t.test('with HASHINSIGHT_METRICS_TOKEN, /metrics needs that token, from anywhere', async (t) => {
  const { app } = await buildTestApp(t, { metricsToken: TOKEN });
  for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, TOKEN, `Basic ${TOKEN}`]) {
    const response = await app.inject({
      method: 'GET',
      url: '/metrics',
      ...(authorization ? { headers: { authorization } } : {}),
    });
    t.equal(response.statusCode, 401, `refused: ${authorization}`);
    t.equal(response.json().code, 'METRICS_UNAUTHORIZED');
    t.notMatch(response.body, TOKEN);
  }
  const response = await app.inject({
    method: 'GET',
    url: '/metrics',
    remoteAddress: '203.0.113.7',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  t.equal(response.statusCode, 200);
  t.match(response.body, /hashinsight_http_requests_total/);
});
