/**
 * Seeded generators for property and fuzz tests of the manifest and SDL code (test support; pure).
 */
import { canonicalManifestJson } from './canonical.ts';
import { goFoldKey } from './goJson.ts';
import type { Group, Service, ServiceExpose } from './manifest.ts';

/** mulberry32: a small seeded PRNG, so every failure can be replayed from its seed. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  }
}

const STRING_PIECES = ['a', 'web', '-', '_', ' ', '<', '>', '&', '\u2028', '\u2029', '😀', 'é', '中', '"', '\\', '\n', '\t', '\u0001', '\u007f', '/', 'ſ', 'K', '\ufffd', '0'];

export function randomString(rng: Rng, max = 12): string {
  let s = '';
  const n = rng.int(max);
  for (let i = 0; i < n; i++) s += rng.pick(STRING_PIECES);
  return s;
}

/** Every JSON key of the v2beta3 manifest structs, folded as Go matches them. */
const KNOWN_FOLDED = new Set(
  [
    'name', 'services', 'image', 'command', 'args', 'env', 'resources', 'count', 'expose', 'params', 'credentials', 'id', 'cpu', 'memory',
    'storage', 'gpu', 'endpoints', 'units', 'attributes', 'val', 'size', 'key', 'value', 'kind', 'sequence_number', 'port', 'externalPort',
    'proto', 'service', 'global', 'hosts', 'httpOptions', 'ip', 'endpointSequenceNumber', 'maxBodySize', 'readTimeout', 'sendTimeout',
    'nextTries', 'nextTimeout', 'nextCases', 'proxyBufferSize', 'mount', 'readOnly', 'read', 'permissions', 'tee', 'type', 'attestation',
    'host', 'email', 'username', 'password',
  ].map((k) => goFoldKey(k)!),
);

/** A key Go's decoder ignores in every manifest struct. */
export function unknownKey(rng: Rng): string {
  for (;;) {
    const k = `${rng.pick(['x', 'extra', 'NAME_', 'portX', 'ſ', 'future', '中'])}${randomString(rng, 4)}`;
    const f = goFoldKey(k);
    if (f === undefined || !KNOWN_FOLDED.has(f)) return k;
  }
}

/** A random JSON value (for unknown fields and fuzzing). */
export function randomJson(rng: Rng, depth = 0): unknown {
  const r = rng.int(depth > 3 ? 5 : 7);
  switch (r) {
    case 0:
      return null;
    case 1:
      return rng.bool();
    case 2:
      return rng.pick([0, 1, -1, 1.5, 1e300, 4294967296, 123456789]);
    case 3:
    case 4:
      return randomString(rng);
    case 5:
      return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--) o[randomString(rng, 5)] = randomJson(rng, depth + 1);
      return o;
    }
  }
}

const WS = ['', '', '', ' ', '\n', '\t', '\r\n', '  '];

/**
 * JSON text of `value` with keys in random order, random white space, unknown keys added to
 * objects, and (optionally) known keys in random letter case: all things Go's decoder ignores.
 */
export function noisyJson(rng: Rng, value: unknown, opts: { unknownKeys: boolean; caseVariants: boolean }): string {
  const ws = (): string => rng.pick(WS);
  const write = (v: unknown): string => {
    if (Array.isArray(v)) return `[${ws()}${v.map((e) => `${ws()}${write(e)}${ws()}`).join(',')}${ws()}]`;
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).map(([k, e]) => [opts.caseVariants && rng.bool(0.2) ? caseVariant(rng, k) : k, e] as [string, unknown]);
      if (opts.unknownKeys && rng.bool(0.3)) entries.push([unknownKey(rng), randomJson(rng)]);
      rng.shuffle(entries);
      return `{${ws()}${entries.map(([k, e]) => `${JSON.stringify(k)}${ws()}:${ws()}${write(e)}`).join(`${ws()},${ws()}`)}${ws()}}`;
    }
    return JSON.stringify(v);
  };
  return `${ws()}${write(value)}${ws()}`;
}

function caseVariant(rng: Rng, key: string): string {
  let out = '';
  for (const c of key) {
    if (c === 's' && rng.bool(0.1)) out += 'ſ';
    else if (c === 'k' && rng.bool(0.2)) out += '\u212a';
    else out += rng.bool() ? c.toUpperCase() : c.toLowerCase();
  }
  return out;
}

/** Paths to every leaf of a JSON value (object keys and array indexes). */
export function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((e, i) => leaves(e, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? [path] : entries.flatMap(([k, e]) => leaves(e, [...path, k]));
  }
  return [path];
}

/** Byte-level mutations of a text, for fuzzing parsers. */
export function mutateBytes(rng: Rng, input: Uint8Array): Uint8Array {
  const bytes = [...input];
  for (let n = 1 + rng.int(4); n > 0; n--) {
    const at = rng.int(bytes.length + 1);
    switch (rng.int(7)) {
      case 0:
        bytes.splice(at, 1 + rng.int(8));
        break;
      case 1:
        bytes.splice(at, 0, ...Array.from({ length: 1 + rng.int(4) }, () => rng.int(256)));
        break;
      case 2:
        if (at < bytes.length) bytes[at] = rng.int(256);
        break;
      case 3: {
        const from = rng.int(bytes.length + 1);
        bytes.splice(at, 0, ...bytes.slice(from, from + rng.int(64)));
        break;
      }
      case 4:
        bytes.splice(at, 0, ...new TextEncoder().encode(rng.pick(['[', '{', ']', '}', '"', ':', ',', '\\u', '\\ud800', '-', '1e9', 'null', '*a', '&a ', '<<: ', '\t', '\n  ', '---\n', '!!binary ', '0x'])));
        break;
      case 5:
        bytes.splice(at, 0, ...new TextEncoder().encode(rng.pick(['['.repeat(200), '{"a":'.repeat(100), '- '.repeat(100), '  '.repeat(50)])));
        break;
      default:
        bytes.splice(at, 0, ...[0xff, 0xc0, 0xed, 0xa0, 0x80, 0xf4, 0x90].slice(rng.int(4), 4 + rng.int(3)));
    }
  }
  return Uint8Array.from(bytes);
}

/** The Go-canonical JSON of a random manifest (any strings, numbers, nil and empty lists). */
export function randomManifest(rng: Rng): string {
  const u32 = (): number => rng.pick([0, 1, 80, 443, 65535, 4294967295, rng.int(100000)]);
  const list = <T>(f: () => T): T[] | null => (rng.bool(0.2) ? null : Array.from({ length: rng.int(3) }, f));
  const attrs = () => list(() => ({ key: randomString(rng, 6), value: randomString(rng, 6) }));
  const rv = () => ({ val: rng.pick(['0', '1', '1000', '18446744073709551615', `-${1 + rng.int(8)}`, null]) });
  const expose = (): ServiceExpose => ({
    port: u32(),
    externalPort: u32(),
    proto: rng.pick(['TCP', 'UDP', randomString(rng, 3)]),
    service: randomString(rng),
    global: rng.bool(),
    hosts: list(() => randomString(rng)),
    httpOptions: { maxBodySize: u32(), readTimeout: u32(), sendTimeout: u32(), nextTries: u32(), nextTimeout: u32(), nextCases: list(() => randomString(rng, 4)), proxyBufferSize: rng.bool() ? 0 : u32() },
    ip: randomString(rng, 4),
    endpointSequenceNumber: u32(),
  });
  const creds = () => (rng.bool() ? null : { host: randomString(rng), email: randomString(rng), username: randomString(rng), password: randomString(rng) });
  const service = (): Service => ({
    name: randomString(rng),
    image: randomString(rng),
    command: list(() => randomString(rng)),
    args: list(() => randomString(rng)),
    env: list(() => randomString(rng)),
    resources: {
      id: u32(),
      cpu: rng.bool(0.8) ? { units: rv(), attributes: attrs() } : null,
      memory: rng.bool(0.8) ? { size: rv(), attributes: attrs() } : null,
      storage: list(() => ({ name: randomString(rng), size: rv(), attributes: attrs() })),
      gpu: rng.bool(0.8) ? { units: rv(), attributes: attrs() } : null,
      endpoints: list(() => ({ kind: rng.pick([0, 1, 2, -7]), sequence_number: u32() })),
    },
    count: u32(),
    expose: list(expose),
    params: rng.bool(0.5)
      ? null
      : {
          storage: list(() => ({ name: randomString(rng), mount: randomString(rng), readOnly: rng.bool() })),
          credentials: creds(),
          permissions: rng.bool() ? null : { read: list(() => randomString(rng, 4)) },
          tee: rng.bool(0.7) ? null : { type: randomString(rng, 4), attestation: rng.bool() },
        },
    credentials: creds(),
  });
  const groups: Group[] = Array.from({ length: 1 + rng.int(3) }, () => ({ name: randomString(rng), services: list(service) }));
  return canonicalManifestJson(groups);
}


const YAML_TOKENS = ['~', 'null', '""', "''", '0x50', '1e3', '-1', '0.5', 'yes', 'on', '[]', '{}', '[a, b]', '{a: 1}', '*a', '&a x', '<<: *a', '!!str 5', '!!binary aGk=', '!!int x', '|\n  text', '"\\u2028<&>"', '18446744073709551616', '.inf', '.nan', '2001-01-01', '1.5Gi', '500m', 'cpu-gpu'];

/** Line-level and byte-level mutations of an SDL. */
export function mutateSdl(rng: Rng, text: string): string {
  const lines = text.split('\n');
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const i = rng.int(lines.length);
    const line = lines[i] ?? '';
    switch (rng.int(6)) {
      case 0: // replace a scalar value
        lines[i] = line.replace(/:\s.*$/, `: ${rng.pick(YAML_TOKENS)}`);
        break;
      case 1:
        lines.splice(i, 1);
        break;
      case 2:
        lines.splice(i, 0, ...lines.slice(rng.int(lines.length), rng.int(lines.length) + 3));
        break;
      case 3: // shift indentation
        lines[i] = rng.bool() ? `  ${line}` : line.replace(/^ {1,2}/, '');
        break;
      case 4:
        lines[i] = `${line}${rng.pick([' #c', ':', ' -', '\t', randomString(rng, 3)])}`;
        break;
      default:
        return new TextDecoder().decode(mutateBytes(rng, new TextEncoder().encode(text)));
    }
  }
  return lines.join('\n');
}
