import t from 'tap';
import { macAddress } from './mac.js';

t.test('MAC addresses as firmware reports them become lowercase and colon-separated', async (t) => {
  t.equal(macAddress('C4:05:09:00:02:9B'), 'c4:05:09:00:02:9b');
  t.equal(macAddress('123456789012'), '12:34:56:78:90:12');
  t.equal(macAddress('aa-bb-cc-dd-ee-ff'), 'aa:bb:cc:dd:ee:ff');
});

t.test('anything that is not six bytes is not reported', async (t) => {
  for (const value of [
    '',
    'C4:05:09:00:02',
    'C4:05:09:00:02:9B:00',
    'zz:05:09:00:02:9b',
    12,
    null,
    undefined,
  ]) {
    t.equal(macAddress(value), undefined, String(value));
  }
});
