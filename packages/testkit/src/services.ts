/**
 * The URL of an external service a test needs (DATABASE_URL, REDIS_URL, MQTT_URL), or a skip reason when it is
 * not configured. Use as `t.test('...', { skip: serviceUrl('DATABASE_URL').skip }, ...)`.
 */
export function serviceUrl(variable: 'DATABASE_URL' | 'REDIS_URL' | 'MQTT_URL'): {
  url: string | undefined;
  skip: string | false;
} {
  const url = process.env[variable];
  if (url !== undefined && url !== '') return { url, skip: false };
  return { url: undefined, skip: `${variable} is not set, so this suite needs a service it does not have` };
}
