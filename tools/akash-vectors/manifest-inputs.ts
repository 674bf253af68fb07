/**
 * Writes manifest-inputs.json: the edge-case wire manifests that `akash-vectors manifest` runs
 * through Go. Run from the repo root: `node tools/akash-vectors/manifest-inputs.ts`.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const here = new URL('.', import.meta.url).pathname;
const fixtures = new URL('../../src/akash/testdata/sdl-go-fixtures/output-fixtures/', import.meta.url).pathname;

type Vector = { name: string; wire?: unknown; wireBase64?: string; groupSpecs?: unknown };
const vectors: Vector[] = [];
const text = (name: string, s: string): void => void vectors.push({ name, wireBase64: Buffer.from(s, 'utf8').toString('base64') });
const bytes = (name: string, b: Buffer): void => void vectors.push({ name, wireBase64: b.toString('base64') });

// Every Go fixture manifest, as Go pretty-printed it.
for (const v of ['v2.0', 'v2.1']) {
  for (const name of readdirSync(fixtures + v).sort()) {
    text(`fixture/${v}/${name}`, readFileSync(`${fixtures}${v}/${name}/manifest.json`, 'utf8'));
  }
}

const base = (): Record<string, unknown>[] => JSON.parse(readFileSync(`${fixtures}v2.0/simple/manifest.json`, 'utf8'));
type Obj = Record<string, unknown>;
const svc = (m: Obj[]): Obj => (m[0]!.services as Obj[])[0]!;
const mod = (name: string, f: (m: Obj[]) => void): void => {
  const m = base();
  f(m);
  text(name, JSON.stringify(m));
};

// Strings Go escapes, or that JSON.stringify and Go write differently.
mod('string/html', (m) => (svc(m).image = 'a<b>&c'));
mod('string/line-separators', (m) => (svc(m).image = 'x\u2028y\u2029z'));
mod('string/astral', (m) => (svc(m).image = 'nginx:😀𝄞'));
mod('string/controls', (m) => (svc(m).env = ['A=\u0001\u0007\b\f\n\r\t\u001f\u007f\u0000']));
mod('string/non-ascii', (m) => (svc(m).args = ['é', 'ü', '中文', '\u00a0', '\ufeff']));
text('string/escaped-slash', JSON.stringify(base()).replace('"nginx"', '"ng\\/inx"'));
text('string/lone-high-surrogate', JSON.stringify(base()).replace('"nginx"', '"a\\ud800b"'));
text('string/lone-low-surrogate', JSON.stringify(base()).replace('"nginx"', '"a\\udc00b"'));
text('string/high-high-low', JSON.stringify(base()).replace('"nginx"', '"\\ud800\\ud800\\udc00"'));
text('string/high-then-escape', JSON.stringify(base()).replace('"nginx"', '"\\ud800\\u0041"'));
text('string/pair-escaped', JSON.stringify(base()).replace('"nginx"', '"\\ud83d\\ude00"'));
text('string/upper-hex-escape', JSON.stringify(base()).replace('"nginx"', '"\\u00E9\\u003C"'));
for (const [name, raw] of [
  ['lone-ff', [0xff]],
  ['truncated-3byte', [0xe2, 0x80]],
  ['truncated-3byte-then-ascii', [0xe2, 0x80, 0x41]],
  ['overlong-slash', [0xc0, 0xaf]],
  ['surrogate-encoded', [0xed, 0xa0, 0x80]],
  ['above-max', [0xf4, 0x90, 0x80, 0x80]],
  ['lone-continuation', [0x80, 0xbf]],
  ['valid-4byte', [0xf0, 0x9f, 0x98, 0x80]],
  ['f5', [0xf5, 0x80, 0x80, 0x80]],
  ['truncated-4byte-at-quote', [0xf0, 0x9f, 0x98]],
] as const) {
  const s = JSON.stringify(base());
  const at = s.indexOf('"nginx"') + 1;
  bytes(`utf8/${name}`, Buffer.concat([Buffer.from(s.slice(0, at)), Buffer.from(raw), Buffer.from(s.slice(at))]));
}
{
  const s = JSON.stringify(base());
  bytes('utf8/invalid-in-key', Buffer.concat([Buffer.from('[{"x'), Buffer.from([0xff]), Buffer.from('":1,'), Buffer.from(s.slice(2))]));
}

// Keys: Go matches them case-insensitively, with two non-ASCII folds.
text('keys/upper', JSON.stringify(base()).replace('"name":"westcoast"', '"NAME":"westcoast"').replace('"image"', '"Image"'));
text('keys/long-s', JSON.stringify(base()).replace('"services"', '"\u017fervices"'));
text('keys/kelvin', JSON.stringify(base()).replace('"kind":1', '"\u212aind":1'));
text('keys/kelvin-escaped', JSON.stringify(base()).replace('"kind":1', '"\\u212aind":1'));
text('keys/other-unicode', JSON.stringify(base()).replace('"image"', '"\u0130mage"'));
text('keys/exact-then-folded', JSON.stringify(base()).replace('"image":"nginx"', '"image":"nginx","IMAGE":"other"'));
text('keys/folded-then-exact', JSON.stringify(base()).replace('"image":"nginx"', '"IMAGE":"other","image":"nginx"'));

// Repeated keys: applied in order, objects and slice elements merged.
text('dup/scalar', JSON.stringify(base()).replace('"image":"nginx"', '"image":"a","image":"b"'));
const afterLastKey = (extra: string): string => JSON.stringify(base()).replace('"credentials":null', `"credentials":null,${extra}`);
text('dup/struct-merge', afterLastKey('"resources":{"id":7}'));
text('dup/struct-before', JSON.stringify(base()).replace('"name":"web"', '"name":"web","resources":{"id":7,"extra":1}'));
text('dup/slice-merge', afterLastKey('"expose":[{"port":81}]'));
text('dup/slice-longer', afterLastKey('"expose":[{"port":81},{"port":82},{"port":83}]'));
text('dup/slice-empty', afterLastKey('"expose":[]'));
text('dup/slice-null', afterLastKey('"expose":null'));
text('dup/strings-merge', afterLastKey('"command":["a","b","c"],"command":["x",null]'));
text('dup/pointer-merge', afterLastKey('"resources":{"cpu":{"attributes":[{"key":"a","value":"b"}]}}'));
text('dup/pointer-null', afterLastKey('"resources":{"cpu":null}'));
text('dup/null-element-keeps', afterLastKey('"expose":[null,{"port":9}]'));
text('dup/val-twice', JSON.stringify(base()).replace('"val":"100"', '"val":"1","val":"200"'));
text('dup/case-variant-merge', afterLastKey('"RESOURCES":{"ID":9},"Resources":{"Memory":null}'));
text('dup/triple-shrink-grow', afterLastKey('"expose":[{"port":1}],"expose":[{"port":2},{"ip":"x"},{"ip":"y"}]'));
text('dup/group-level', JSON.stringify(base()).replace('"name":"westcoast"', '"name":"westcoast","services":[{"name":"zzz"}]'));

// nil versus empty, omitempty.
mod('nil/empty-lists', (m) => {
  const s = svc(m);
  s.command = [];
  s.args = [];
  s.env = [];
  (s.expose as Obj[])[0]!.hosts = [];
  (s.resources as Obj).storage = [];
  (s.resources as Obj).endpoints = [];
});
mod('nil/missing-fields', (m) => {
  const s = svc(m);
  delete s.command;
  delete s.credentials;
  delete s.expose;
  delete (s.resources as Obj).endpoints;
  delete (s.resources as Obj).gpu;
});
mod('nil/params-empty', (m) => (svc(m).params = {}));
mod('nil/params-null', (m) => (svc(m).params = null));
mod('nil/params-full', (m) => {
  svc(m).params = {
    storage: [],
    credentials: { host: 'h' },
    permissions: { read: [] },
    tee: {},
  };
});
mod('nil/permissions-read', (m) => (svc(m).params = { storage: null, permissions: { read: ['logs', 'deployment'] } }));
mod('nil/credentials-empty', (m) => (svc(m).credentials = {}));
mod('nil/next-cases-empty', (m) => (((svc(m).expose as Obj[])[0]!.httpOptions as Obj).nextCases = []));
mod('nil/proxy-buffer', (m) => (((svc(m).expose as Obj[])[0]!.httpOptions as Obj).proxyBufferSize = 16384));
mod('nil/attributes-empty', (m) => ((svc(m).resources as Obj).cpu = { units: { val: '100' }, attributes: [] }));
mod('nil/attribute-empty-fields', (m) => ((svc(m).resources as Obj).cpu = { units: { val: '100' }, attributes: [{}, { key: 'k' }, { value: 'v' }] }));
mod('nil/val-missing', (m) => ((svc(m).resources as Obj).cpu = { units: {} }));
mod('nil/units-null', (m) => ((svc(m).resources as Obj).cpu = { units: null }));
mod('nil/cpu-empty', (m) => ((svc(m).resources as Obj).cpu = {}));
mod('nil/http-options-null', (m) => ((svc(m).expose as Obj[])[0]!.httpOptions = null));
mod('nil/services-null', (m) => (m[0]!.services = null));
mod('nil/services-element-null', (m) => (m[0]!.services = [null]));
mod('nil/string-null', (m) => (svc(m).image = null));
mod('nil/kind-zero', (m) => ((svc(m).resources as Obj).endpoints = [{ kind: 0, sequence_number: 3 }]));
text('top/null', 'null');
text('top/empty-array', '[]');
text('top/null-group', '[null]');
text('top/object', '{}');
text('top/string', '"x"');
text('top/empty', '');
text('top/whitespace', ' \n\t ');
text('top/trailing-garbage', JSON.stringify(base()) + ' trailing }{');
text('top/two-values', JSON.stringify(base()) + '[]');
text('top/leading-whitespace', '\r\n\t ' + JSON.stringify(base()));
bytes('top/bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(base()))]));
text('top/truncated', JSON.stringify(base()).slice(0, -5));

// Unknown fields are dropped at every level.
mod('unknown/everywhere', (m) => {
  m[0]!.extra = { a: [1, 2, { b: null }] };
  const s = svc(m);
  s.unknown = 'x';
  (s.resources as Obj).future = { nested: true };
  ((s.expose as Obj[])[0]!.httpOptions as Obj).brandNew = 1.5e300;
  ((s.resources as Obj).cpu as Obj).extra = -1;
});
// The service object sits at depth 4, so 9996 more levels reach Go's limit of 10000 exactly.
text('unknown/depth-10000', JSON.stringify(base()).replace('"count":2', `"count":2,"x":${'['.repeat(9996)}${']'.repeat(9996)}`));
text('unknown/depth-10001', JSON.stringify(base()).replace('"count":2', `"count":2,"x":${'['.repeat(9997)}${']'.repeat(9997)}`));
text('unknown/deep-objects', JSON.stringify(base()).replace('"count":2', `"count":2,"x":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`));

// Numbers.
const setPort = (name: string, lit: string): void => text(name, JSON.stringify(base()).replace('"port":80', `"port":${lit}`));
setPort('num/port-max', '4294967295');
setPort('num/port-overflow', '4294967296');
setPort('num/port-float', '80.0');
setPort('num/port-exp', '8e1');
setPort('num/port-negative', '-1');
setPort('num/port-negative-zero', '-0');
setPort('num/port-string', '"80"');
setPort('num/port-bool', 'true');
setPort('num/port-huge', '123456789012345678901234567890');
setPort('num/port-zero', '0');
const setKind = (name: string, lit: string): void => text(name, JSON.stringify(base()).replace('"kind":1', `"kind":${lit}`));
setKind('num/kind-negative', '-1');
setKind('num/kind-negative-zero', '-0');
setKind('num/kind-max', '2147483647');
setKind('num/kind-overflow', '2147483648');
setKind('num/kind-min', '-2147483648');
setKind('num/kind-float', '1.5');
text('num/count-exp', JSON.stringify(base()).replace('"count":2', '"count":2E0'));
const setVal = (name: string, lit: string): void => text(name, JSON.stringify(base()).replace('"val":"100"', `"val":${lit}`));
for (const [name, lit] of [
  ['hex', '"0x10"'],
  ['hex-upper', '"0XfF"'],
  ['octal-leading-zero', '"010"'],
  ['octal-o', '"0o17"'],
  ['binary', '"0b101"'],
  ['underscores', '"1_000"'],
  ['underscore-after-prefix', '"0x_1"'],
  ['underscore-leading', '"_1"'],
  ['underscore-trailing', '"1_"'],
  ['underscore-double', '"1__0"'],
  ['octal-underscore', '"0_7"'],
  ['octal-bad-digit', '"08"'],
  ['zero-zero', '"00"'],
  ['negative', '"-5"'],
  ['negative-zero', '"-0"'],
  ['plus', '"+5"'],
  ['empty', '""'],
  ['space', '" 1"'],
  ['null', 'null'],
  ['number', '5'],
  ['prefix-only', '"0x"'],
  ['sign-only', '"-"'],
  ['max-256-bit', `"${(2n ** 256n - 1n).toString()}"`],
  ['overflow-256-bit', `"${(2n ** 256n).toString()}"`],
  ['negative-max', `"-${(2n ** 256n - 1n).toString()}"`],
  ['leading-zeros-decimal', '"0000123"'],
  ['escaped-digits', '"\\u0031\\u0032"'],
  ['object', '{}'],
] as const) {
  setVal(`val/${name}`, lit);
}

// Syntax Go refuses.
text('syntax/trailing-comma', JSON.stringify(base()).replace('"count":2', '"count":2,'));
text('syntax/single-quotes', "[{'name':'x'}]");
text('syntax/control-in-string', '[{"name":"a\u0001b"}]');
text('syntax/bad-escape', '[{"name":"a\\xb"}]');
text('syntax/leading-zero', '[{"name":"a","services":[{"count":01}]}]');
text('syntax/nan', '[{"name":"a","services":[{"count":NaN}]}]');
text('syntax/comment', '[/* c */]');

// Manifests checked against group specs (Manifest.CheckAgainstGSpecs).
const fixtureOf = (path: string): { m: Obj[]; gs: Obj[] } => ({
  m: JSON.parse(readFileSync(`${fixtures}${path}/manifest.json`, 'utf8')),
  gs: JSON.parse(readFileSync(`${fixtures}${path}/group-specs.json`, 'utf8')),
});
const check = (name: string, path: string, f: (m: Obj[], gs: Obj[]) => void): void => {
  const { m, gs } = fixtureOf(path);
  f(m, gs);
  vectors.push({ name, wireBase64: Buffer.from(JSON.stringify(m)).toString('base64'), groupSpecs: gs });
};
const unit0 = (gs: Obj[]): Obj => (gs[0]!.resources as Obj[])[0]!;
for (const v of ['v2.0', 'v2.1']) {
  for (const name of readdirSync(fixtures + v).sort()) check(`check/fixture/${v}/${name}`, `${v}/${name}`, () => {});
}
check('check/count-over', 'v2.0/simple', (m) => (svc(m).count = 3));
check('check/count-under', 'v2.0/simple', (m) => (svc(m).count = 1));
check('check/cpu-mismatch', 'v2.0/simple', (m) => (((svc(m).resources as Obj).cpu as Obj).units = { val: '101' }));
check('check/cpu-same-value-other-text', 'v2.0/simple', (m) => (((svc(m).resources as Obj).cpu as Obj).units = { val: '0x64' }));
check('check/cpu-attributes-mismatch', 'v2.0/simple', (m) => (((svc(m).resources as Obj).cpu as Obj).attributes = [{ key: 'arch', value: 'x' }]));
check('check/cpu-attributes-empty-vs-nil', 'v2.0/simple', (m) => (((svc(m).resources as Obj).cpu as Obj).attributes = []));
check('check/memory-mismatch', 'v2.0/simple', (m) => (((svc(m).resources as Obj).memory as Obj).size = { val: '1' }));
check('check/gpu-mismatch', 'v2.0/simple', (m) => (((svc(m).resources as Obj).gpu as Obj).units = { val: '1' }));
check('check/gpu-nil-both', 'v2.0/simple', (m, gs) => {
  delete (svc(m).resources as Obj).gpu;
  delete (unit0(gs).resource as Obj).gpu;
});
check('check/storage-fewer', 'v2.0/persistent-storage', (m) => ((svc(m).resources as Obj).storage as Obj[]).pop());
check('check/storage-more', 'v2.0/simple', (m) => ((svc(m).resources as Obj).storage as Obj[]).push({ name: 'x', size: { val: '1' } }));
check('check/storage-renamed', 'v2.0/simple', (m) => ((((svc(m).resources as Obj).storage as Obj[])[0]!).name = 'other'));
check('check/val-missing', 'v2.0/simple', (m) => (((svc(m).resources as Obj).cpu as Obj).units = {}));
check('check/group-unknown', 'v2.0/simple', (m) => (m[0]!.name = 'elsewhere'));
check('check/group-count', 'v2.0/simple', (m) => m.push({ ...m[0]!, name: 'zzz' }));
check('check/resources-id-unknown', 'v2.0/simple', (m) => ((svc(m).resources as Obj).id = 9));
check('check/expose-removed', 'v2.0/simple', (m) => (svc(m).expose as Obj[]).pop());
check('check/expose-not-global', 'v2.0/simple', (m) => ((svc(m).expose as Obj[])[1]!.global = false));
check('check/expose-extra-port', 'v2.0/simple', (m) => (svc(m).expose as Obj[]).push({ ...(svc(m).expose as Obj[])[1]!, port: 12346 }));
check('check/ingress-becomes-port', 'v2.0/simple', (m) => ((svc(m).expose as Obj[])[0]!.externalPort = 8080));
check('check/ip-extra', 'v2.0/simple', (m) => ((svc(m).expose as Obj[])[1]!.ip = 'myip'));
check('check/ip-fixture-removed', 'v2.1/ip-endpoint', (m) => {
  for (const e of svc(m).expose as Obj[]) e.ip = '';
});
check('check/spec-duplicate-names', 'v2.0/simple', (_m, gs) => gs.push({ ...gs[0]! }));
check('check/spec-unused-unit', 'v2.0/simple', (_m, gs) => (gs[0]!.resources as Obj[]).push({ ...unit0(gs), resource: { ...(unit0(gs).resource as Obj), id: 2 } }));
check('check/invalid-manifest', 'v2.0/simple', (m) => (svc(m).image = ''));

const out = process.argv[2] ?? `${here}manifest-inputs.json`;
writeFileSync(out, JSON.stringify(vectors) + '\n');
console.log(`${vectors.length} vectors`);
