import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import t from 'tap';
import { checkOpenFiles, FD_HEADROOM, openFileLimit } from './fd-limit.js';

const limitsFile = (t: Parameters<typeof tempDir>[0], soft: string) => {
  const path = join(tempDir(t), 'limits');
  writeFileSync(
    path,
    `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            ${soft}                 524288               files
Max locked memory         8388608              8388608              bytes
`,
  );
  return path;
};

t.test('reads the soft limit the way Linux lists it', async (t) => {
  t.equal(openFileLimit(limitsFile(t, '1024')), 1024);
  t.equal(openFileLimit(limitsFile(t, 'unlimited')), Number.POSITIVE_INFINITY);
  t.equal(openFileLimit(join(tempDir(t), 'absent')), undefined, 'not Linux: unknown');
  const garbled = join(tempDir(t), 'garbled');
  writeFileSync(garbled, 'nothing to see');
  t.equal(openFileLimit(garbled), undefined);
});

t.test('fails with what to run when the listeners will not fit', async (t) => {
  t.doesNotThrow(() => checkOpenFiles(1000, 1000 + FD_HEADROOM));
  t.doesNotThrow(() => checkOpenFiles(10_000, undefined), 'an unknown limit is not checked');
  t.throws(() => checkOpenFiles(10_000, 1024), {
    code: 'SIMULATOR_FD_LIMIT',
    message:
      /^the open-file limit is 1024, but 10000 listening sockets need at least 10256: .*ulimit -n 10256/,
  });
});
