// Issue #3 says of the recorded corpus: "use them all". This test holds us to it: every corpus file must be named
// by some test source of the packages that speak to miners (miners, simulator), or be listed below with the
// reason it is not read. A new corpus file nobody reads fails here until a test uses it or a reason is given.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { CORPUS_DIR, corpusMissing } from './test/recorded.js';

/** Corpus files no test reads, and why. Keep it short: each entry is a gap in what we prove. */
const UNUSED_WITH_REASON: Record<string, string> = {
  'vnish/manifest.json':
    'recording metadata of the source harness (model, fw, address, date), not a miner reply; SOURCES.md keeps its facts',
  'antminer-cgi/get_system_info.cgi.s17plus-vnish.json':
    'old VNish 2.0.3 behind the stock CGI: identification asks the cgminer API only, and the simulator serves X19 stock',
  'antminer-cgi/stats.cgi.s21.json':
    'the S21 web copy of `stats` (rates in GH/s under `rate_unit`): drivers read stats over the cgminer API',
  'antminer-cgi/summary.cgi.s21.json':
    'the S21 web copy of `summary`: drivers read the summary over the cgminer API',
  'avalon/check.avalon-q.json': 'no driver asks `check` (identification needs no command test)',
  'avalon/coin.avalon-q.json': 'no driver asks `coin`: the algorithm follows from the model catalog',
  'cgminer/config.json': 'no driver asks `config` of a generic cgminer: pools come from `pools`',
};

/**
 * Files another session is putting to use right now (the Whatsminer privileged API). They may be used or not;
 * they only have to exist. Remove an entry once its work has landed.
 */
const IN_PROGRESS_ELSEWHERE: Record<string, string> = {
  'whatsminer/get_token.json': 'whatsminer privileged work in progress',
  'whatsminer/privileged-test-vector.json': 'whatsminer privileged work in progress',
  'whatsminer/stats.m20s.json': 'whatsminer privileged work in progress',
  'whatsminer/v3.get_device_info.json': 'whatsminer privileged work in progress',
};

/**
 * Tests that pick corpus files by a pattern instead of naming them: the pattern, and the source file that must
 * still contain it verbatim (so a pattern removed there stops counting here).
 */
const PICKED_BY_PATTERN: Array<{ pattern: string; in: string }> = [
  { pattern: '(^|\\/)(version|devdetails)[^/]*\\.json$', in: 'miners/src/drivers/conformance.test.ts' },
];

const PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const THIS_FILE = fileURLToPath(import.meta.url);

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && !path.includes('node_modules'))
    .map((path) => join(dir, path))
    .filter((path) => path !== THIS_FILE);
}

function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(CORPUS_DIR.length + 1))
    .filter((path) => path !== 'SOURCES.md')
    .sort();
}

/**
 * Every corpus path a source names, as a pattern: `${...}` in a template literal stands for one name part, so
 * `blink.cgi.response.${state}.json` counts for both recorded states.
 */
function namedPaths(source: string, folders: readonly string[]): RegExp[] {
  const folderAlternatives = folders.map((folder) => folder.replace(/[-.]/g, '\\$&')).join('|');
  const mention = new RegExp(`(?<![\\w/.-])(?:${folderAlternatives})\\/(?:[\\w.+\\-/]|\\$\\{[^}]*\\})+`, 'g');
  return [...source.matchAll(mention)].map(([text]) => {
    const escaped = text
      .split(/\$\{[^}]*\}/)
      .map((part) => part.replace(/[.+\-/]/g, '\\$&'))
      .join('[^/]+');
    return new RegExp(`^${escaped}$`);
  });
}

t.test(
  'every recorded corpus file is read by a test or listed with a reason',
  { skip: corpusMissing },
  async (t) => {
    const files = corpusFiles();
    t.ok(files.length >= 150, `${files.length} corpus files`);
    const folders = [...new Set(files.map((path) => path.split('/')[0] ?? ''))];
    const sources = ['miners/src', 'simulator/src'].flatMap((dir) => sourcesUnder(join(PACKAGES, dir)));
    const patterns = sources.flatMap((path) => namedPaths(readFileSync(path, 'utf8'), folders));
    for (const { pattern, in: where } of PICKED_BY_PATTERN) {
      t.ok(
        readFileSync(join(PACKAGES, where), 'utf8').includes(pattern),
        `${where} still picks by ${pattern}`,
      );
      patterns.push(new RegExp(pattern));
    }
    const used = (path: string) => patterns.some((pattern) => pattern.test(path));

    const unused = files.filter((path) => !used(path) && !(path in IN_PROGRESS_ELSEWHERE));
    t.strictSame(
      unused.filter((path) => !(path in UNUSED_WITH_REASON)),
      [],
      'no corpus file is left unread',
    );
    t.strictSame(
      Object.keys(UNUSED_WITH_REASON).filter((path) => used(path)),
      [],
      'a file listed as unused is not read by any test (else drop it from the list)',
    );
    for (const path of [...Object.keys(UNUSED_WITH_REASON), ...Object.keys(IN_PROGRESS_ELSEWHERE)]) {
      t.ok(files.includes(path), `${path} (listed here) still exists`);
    }
    t.ok(Object.keys(UNUSED_WITH_REASON).length <= 7, 'the list of unread files stays short');
  },
);

t.test('a corpus path named in a template literal matches each name it stands for', async (t) => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal, on purpose
  const [pattern] = namedPaths('corpusText(`antminer-cgi/blink.cgi.response.${state}.json`)', [
    'antminer-cgi',
  ]);
  t.ok(pattern?.test('antminer-cgi/blink.cgi.response.on.json'));
  t.notOk(pattern?.test('antminer-cgi/blink.cgi.response.on.json.bak'));
  t.notOk(pattern?.test('antminer-cgi/blink.cgi.request.on.json'));
  const [plain] = namedPaths("'avalon/stats.a1566.json'", ['avalon']);
  t.ok(plain?.test('avalon/stats.a1566.json'));
  t.notOk(plain?.test('avalon/stats.a1566xjson'), 'a dot is a dot');
});
