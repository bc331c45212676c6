import { tempDir } from '@hashinsight/testkit';
import t from 'tap';
import { migrateToLatest, openDatabase } from '../../db/index.js';
import { createPlatform } from '../../platform/index.js';
import { redisService } from '../../platform/test/redis.js';
import { buildTestApp, captureLogs } from '../../test/helpers.js';

t.test('GET /readyz is 200 with every dependency up', async (t) => {
  const { app } = await buildTestApp(t);
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(response.statusCode, 200);
  t.match(response.json(), { success: true, data: { status: 'ready', db: 'ok', broker: 'ok', cache: 'ok' } });
});

t.test('GET /readyz is 503 naming what is down: broker, then database too', async (t) => {
  const { app, broker, db } = await buildTestApp(t);
  await broker.close();
  let response = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(response.statusCode, 503);
  t.match(response.json(), { success: false, code: 'HEALTH_NOT_READY', error: 'Not ready: broker down' });
  await db.destroy();
  response = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(response.statusCode, 503);
  t.equal(response.json().error, 'Not ready: db, broker down');
});

t.test('GET /readyz names the cache when Redis stops answering', { skip: redisService.skip }, async (t) => {
  const { logger } = captureLogs();
  const db = openDatabase({ dataDir: tempDir(t) });
  await migrateToLatest(db);
  const platform = await createPlatform({
    db,
    logger,
    redisUrl: redisService.url,
    redisPrefix: 'test:readyz:',
  });
  t.teardown(async () => {
    await platform.close();
    await db.destroy();
  });
  const { app } = await buildTestApp(t, { platform });
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  platform.redis?.disconnect(); // as if Redis went away: no offline queue, so the ping fails at once
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(response.statusCode, 503);
  t.equal(response.json().error, 'Not ready: cache down');
});
