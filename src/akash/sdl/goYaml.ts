/**
 * YAML decoded the way gopkg.in/yaml.v3 decodes it into Go structs, which is what Akash's Go SDL
 * code does (nodes and scalar resolution are in yamlNodes.ts). The typing rules are yaml.v3's: what
 * a string field receives (the scalar's text, whatever it looks like), how numbers fit unsigned fields,
 * that `null` leaves a value unset, that unknown struct fields are ignored, that sequence elements
 * which decode to nothing are dropped, duplicate keys, merge keys (`<<`), and the alias-expansion
 * limit that stops "billion laughs" documents.
 *
 * Type errors are collected (yaml.v3 reports them all as one TypeError); other failures stop at once.
 */
import { type Problem, problem } from '../errors.ts';
import { goFloatToUint64 } from './goStrconv.ts';
import { GoYamlFatal, type Resolved, type YNode, resolve } from './yamlNodes.ts';

export { GoYamlFatal, parseYamlForGo, type YNode } from './yamlNodes.ts';

// --- the decoder -------------------------------------------------------------------------------------

const ALIAS_RATIO_LOW = 400000;
const ALIAS_RATIO_HIGH = 4000000;

function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= ALIAS_RATIO_LOW) return 0.99;
  if (decodeCount >= ALIAS_RATIO_HIGH) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - ALIAS_RATIO_LOW) / (ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW));
}

/** Decoding results carry yaml.v3's "good" flag: false when nothing was stored. */
export type Decoded<T> = { good: boolean; value: T };

/** A Go type: how a node decodes into it, given its current value. */
export type GoType<T> = (d: Decoder, n: YNode, cur: T, path: string) => Decoded<T>;

/** Lines of decoded values by YAML path, for the SDL being decoded (decoding is synchronous). */
let currentLines: Map<string, number> | undefined;

/** Runs `fn` recording the line of every decoded path into `lines`. */
export function recordingLines<T>(lines: Map<string, number>, fn: () => T): T {
  const previous = currentLines;
  currentLines = lines;
  try {
    return fn();
  } finally {
    currentLines = previous;
  }
}

const noteLine = (path: string, line: number): void => {
  if (currentLines !== undefined && !currentLines.has(path)) currentLines.set(path, line);
};

/** One yaml.v3 decoder (a Node.Decode call creates a fresh one: fresh alias counters). */
export class Decoder {
  decodeCount = 0;
  aliasCount = 0;
  aliasDepth = 0;
  readonly activeAliases = new Set<YNode>();
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    this.problems = problems;
  }

  terror(n: YNode, tag: string, into: string, path: string): void {
    const shown = n.kind === 'scalar' ? ` \`${n.value.length > 40 ? `${n.value.slice(0, 40)}…` : n.value}\`` : '';
    this.problems.push(problem(path, 'sdl-type', `cannot decode ${tag}${shown} into ${into}`, n.line));
  }

  /** d.unmarshal: counts, follows aliases, then decodes with `type`. */
  unmarshal<T>(n: YNode, type: GoType<T>, cur: T, path: string): Decoded<T> {
    if (this.aliasDepth === 0) noteLine(path, n.line); // expanded aliases would only repeat the anchor's lines
    this.decodeCount++;
    if (this.aliasDepth > 0) this.aliasCount++;
    if (this.aliasCount > 100 && this.decodeCount > 1000 && this.aliasCount / this.decodeCount > allowedAliasRatio(this.decodeCount)) {
      throw new GoYamlFatal('document contains excessive aliasing', 'yaml-alias-limit', n.line);
    }
    if (n.kind === 'alias') {
      const target = n.alias;
      if (target === undefined) throw new GoYamlFatal(`unknown anchor '${n.value}' referenced`, 'yaml-syntax', n.line);
      if (this.activeAliases.has(n)) throw new GoYamlFatal(`anchor '${n.value}' value contains itself`, 'yaml-syntax', n.line);
      this.activeAliases.add(n);
      this.aliasDepth++;
      try {
        return this.unmarshal(target, type, cur, path);
      } finally {
        this.aliasDepth--;
        this.activeAliases.delete(n);
      }
    }
    return type(this, n, cur, path);
  }
}

/** What `d.null(out)` does: slices, maps and pointers become nil (good); anything else is left alone. */
function nullFor<T>(cur: T, nilable: boolean): Decoded<T> {
  return nilable ? { good: true, value: null as T } : { good: false, value: cur };
}

/** The short tag of a node (alias → its target's). */
export function shortTagOf(n: YNode): string {
  if (n.kind === 'alias') return n.alias === undefined ? '' : shortTagOf(n.alias);
  return n.tag;
}

function isNullNode(n: YNode): boolean {
  const t = n.kind === 'alias' ? n.alias : n;
  return t !== undefined && t.kind === 'scalar' && !t.quoted && t.tag === '!!null';
}

/** The scalar value yaml.v3's d.scalar sees. */
function scalarResolved(n: YNode): Resolved {
  if (n.quoted || n.tag === '!!str') return { tag: '!!str', value: n.value };
  return resolve(n.tag === '!!merge' ? '' : n.tag, n.value);
}

function base64Std(s: string): string {
  const clean = s.replace(/[\r\n]/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new GoYamlFatal('!!binary value contains invalid base64 data');
  return goStringOfBytes(Buffer.from(clean, 'base64'));
}

/** Bytes as the Go string json.Marshal will write: invalid UTF-8 becomes U+FFFD byte by byte. */
export function goStringOfBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    let out = '';
    for (let i = 0; i < bytes.length; ) {
      const b0 = bytes[i]!;
      if (b0 < 0x80) {
        out += String.fromCharCode(b0);
        i++;
        continue;
      }
      const need = b0 >= 0xc2 && b0 < 0xe0 ? 1 : b0 >= 0xe0 && b0 < 0xf0 ? 2 : b0 >= 0xf0 && b0 < 0xf5 ? 3 : -1;
      let lo = 0x80;
      let hi = 0xbf;
      if (b0 === 0xe0) lo = 0xa0;
      else if (b0 === 0xed) hi = 0x9f;
      else if (b0 === 0xf0) lo = 0x90;
      else if (b0 === 0xf4) hi = 0x8f;
      let ok = need > 0;
      for (let k = 1; ok && k <= need; k++) {
        const b = bytes[i + k];
        ok = b !== undefined && b >= (k === 1 ? lo : 0x80) && b <= (k === 1 ? hi : 0xbf);
      }
      if (!ok) {
        out += '\ufffd';
        i++;
        continue;
      }
      out += new TextDecoder().decode(bytes.subarray(i, i + need + 1));
      i += need + 1;
    }
    return out;
  }
}

// --- Go kinds --------------------------------------------------------------------------------------

/** A Go string field: any non-null scalar gives its text. */
export const goString: GoType<string> = (d, n, cur, path) => {
  if (n.kind !== 'scalar') {
    d.terror(n, n.kind === 'mapping' ? '!!map' : '!!seq', 'a string', path);
    return { good: false, value: cur };
  }
  const r = scalarResolved(n);
  if (r.value === null) return nullFor(cur, false);
  if (r.tag === '!!binary') return { good: true, value: base64Std(n.value) };
  return { good: true, value: n.value };
};

function unsignedFrom(r: Resolved, max: bigint): bigint | undefined {
  if (typeof r.value === 'bigint') return r.value >= 0n && r.value <= max ? r.value : undefined;
  if (typeof r.value === 'number') {
    const f = r.value;
    if (!(f <= 2 ** 64)) return undefined; // `resolved <= math.MaxUint64` in float64, which is 2^64; NaN fails too
    const u = goFloatToUint64(f);
    return u <= max ? u : undefined;
  }
  return undefined;
}

function unsigned(max: bigint, name: string): GoType<bigint> {
  return (d, n, cur, path) => {
    if (n.kind !== 'scalar') {
      d.terror(n, n.kind === 'mapping' ? '!!map' : '!!seq', name, path);
      return { good: false, value: cur };
    }
    const r = scalarResolved(n);
    if (r.value === null) return nullFor(cur, false);
    const v = unsignedFrom(r, max);
    if (v === undefined) {
      d.terror(n, r.tag, name, path);
      return { good: false, value: cur };
    }
    return { good: true, value: v };
  };
}

const goUint32Big = unsigned(0xffffffffn, 'uint32');
/** A Go uint32 field. */
export const goUint32: GoType<number> = (d, n, cur, path) => {
  const r = goUint32Big(d, n, BigInt(cur), path);
  return { good: r.good, value: Number(r.value) };
};

/** A Go bool field (accepts YAML 1.1 y/yes/on/n/no/off too). */
export const goBool: GoType<boolean> = (d, n, cur, path) => {
  if (n.kind !== 'scalar') {
    d.terror(n, n.kind === 'mapping' ? '!!map' : '!!seq', 'a bool', path);
    return { good: false, value: cur };
  }
  const r = scalarResolved(n);
  if (r.value === null) return nullFor(cur, false);
  if (typeof r.value === 'boolean') return { good: true, value: r.value };
  if (typeof r.value === 'string') {
    if (['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'].includes(r.value)) return { good: true, value: true };
    if (['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'].includes(r.value)) return { good: true, value: false };
  }
  d.terror(n, r.tag, 'a bool', path);
  return { good: false, value: cur };
};

/** A Go slice: a new slice of the decodable elements; elements that decode to nothing are dropped. */
export function goSlice<T>(elem: GoType<T>, zero: () => T, name: string): GoType<T[] | null> {
  return (d, n, cur, path) => {
    if (n.kind === 'sequence') {
      const out: T[] = [];
      n.content.forEach((item, i) => {
        const r = d.unmarshal(item, elem, zero(), `${path}[${i}]`);
        if (r.good) out.push(r.value);
      });
      return { good: true, value: out };
    }
    if (isNullNode(n)) return nullFor(cur, true);
    d.terror(n, n.kind === 'mapping' ? '!!map' : scalarResolved(n).tag, name, path);
    return { good: false, value: cur };
  };
}

/** A pointer to T: null makes it nil; anything else decodes into the pointee (allocated if nil). */
export function goPointer<T>(elem: GoType<T>, zero: () => T): GoType<T | null> {
  return (d, n, cur, path) => {
    if (isNullNode(n)) return { good: true, value: null };
    const r = elem(d, n, cur ?? zero(), path);
    return { good: r.good, value: r.value };
  };
}

/** yaml.v3 d.mapping's uniqueKeys check: two keys of the same kind with the same text. */
function checkDuplicateKeys(d: Decoder, n: YNode, path: string): boolean {
  const c = n.content;
  const seen = new Map<string, number>();
  let ok = true;
  for (let i = 0; i < c.length; i += 2) {
    const k = c[i]!;
    const id = `${k.kind}\u0000${k.value}`;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, k.line);
    else {
      d.problems.push(problem(path, 'yaml-duplicate-key', `mapping key ${JSON.stringify(k.value)} already defined at line ${first}`, k.line));
      ok = false;
    }
  }
  return ok;
}

const isMergeKey = (k: YNode): boolean => k.kind === 'scalar' && k.value === '<<' && (k.tag === '!!merge' || k.tag === '');

/** Keys already set in a mapping being merged into (yaml.v3 d.mergedFields). */
type Merged = Set<string> | undefined;

function decodeKey(d: Decoder, k: YNode, path: string): string | undefined {
  const r = d.unmarshal(k, goString, '', path);
  return r.good ? r.value : undefined;
}

function mergeInto(d: Decoder, parent: YNode, mergeNode: YNode, merged: Merged, decodeMapping: (n: YNode, merged: Set<string>) => void): void {
  const set = merged ?? new Set<string>();
  if (merged === undefined) {
    const c = parent.content;
    for (let i = 0; i < c.length; i += 2) {
      const k = c[i]!;
      if (k.kind === 'scalar' && !isNullNode(k)) set.add(k.value);
    }
  }
  // Each merged mapping is decoded through d.unmarshal in yaml.v3: counted, and an alias that is
  // already being expanded ("<<: *a" inside &a) is refused instead of recursing forever.
  const decodeOne = (m: YNode): void => {
    const mapping: GoType<null> = (_d, n) => {
      if (n.kind !== 'mapping') throw new GoYamlFatal('map merge requires map or sequence of maps as the value', 'sdl-yaml', m.line);
      decodeMapping(n, set);
      return { good: true, value: null };
    };
    d.unmarshal(m, mapping, null, '');
  };
  if (mergeNode.kind === 'sequence') {
    for (const item of mergeNode.content) {
      const target = item.kind === 'alias' ? item.alias : item;
      if (target === undefined || target.kind !== 'mapping') throw new GoYamlFatal('map merge requires map or sequence of maps as the value', 'sdl-yaml', item.line);
      decodeOne(item);
    }
  } else decodeOne(mergeNode);
}

/** A field of a Go struct: its yaml key, how to decode it, and where it lives. */
export interface Field<S> {
  key: string;
  decode: (d: Decoder, n: YNode, s: S, path: string) => void;
}

export function field<S, K extends keyof S>(key: string, prop: K, type: GoType<S[K]>): Field<S> {
  return {
    key,
    decode: (d, n, s, path) => {
      const r = d.unmarshal(n, type, s[prop], path);
      s[prop] = r.value;
    },
  };
}

/**
 * The key/value pairs of a mapping in document order, as yaml.v3 visits them: a `<<` merge key is
 * set aside and returned (its mapping is merged after the explicit keys), keys that do not decode are
 * skipped, and under a merge (`merged` set) a key already taken by an outer mapping is skipped.
 */
function eachMappingEntry(d: Decoder, n: YNode, path: string, merged: Merged, visit: (key: string, k: YNode, v: YNode) => void): YNode | undefined {
  let mergeNode: YNode | undefined;
  const c = n.content;
  for (let i = 0; i < c.length; i += 2) {
    const k = c[i]!;
    if (isMergeKey(k)) {
      mergeNode = c[i + 1];
      continue;
    }
    const key = decodeKey(d, k, path);
    if (key === undefined) continue;
    if (merged !== undefined) {
      if (merged.has(key)) continue;
      merged.add(key);
    }
    visit(key, k, c[i + 1]!);
  }
  return mergeNode;
}

/** A Go struct: mapping keys select fields (exactly, case-sensitively); unknown keys are ignored. */
export function goStruct<S>(fields: Field<S>[], name: string): GoType<S> {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const decodeMapping = (d: Decoder, n: YNode, s: S, path: string, merged: Merged): void => {
    const done = new Set<string>();
    const mergeNode = eachMappingEntry(d, n, path, merged, (key, k, v) => {
      const f = byKey.get(key);
      if (f === undefined) return;
      const fieldPath = path === '' ? key : `${path}.${key}`;
      if (done.has(key)) {
        d.problems.push(problem(fieldPath, 'yaml-duplicate-key', `field ${key} already set`, k.line));
        return;
      }
      done.add(key);
      f.decode(d, v, s, fieldPath);
    });
    if (mergeNode !== undefined) {
      mergeInto(d, n, mergeNode, merged, (m, set) => {
        if (checkDuplicateKeys(d, m, path)) decodeMapping(d, m, s, path, set);
      });
    }
  };
  return (d, n, cur, path) => {
    if (n.kind === 'mapping') {
      if (!checkDuplicateKeys(d, n, path)) return { good: false, value: cur };
      decodeMapping(d, n, cur, path, undefined);
      return { good: true, value: cur };
    }
    if (isNullNode(n)) return nullFor(cur, false);
    d.terror(n, n.kind === 'sequence' ? '!!seq' : scalarResolved(n).tag, name, path);
    return { good: false, value: cur };
  };
}

/** A Go map[string]T (kept in document order): values decode into fresh zero values. */
export function goMap<T>(elem: GoType<T>, zero: () => T, name: string): GoType<Map<string, T> | null> {
  const decodeMapping = (d: Decoder, n: YNode, out: Map<string, T>, isNew: boolean, path: string, merged: Merged): void => {
    const mergeNode = eachMappingEntry(d, n, path, merged, (key, _k, v) => {
      const r = d.unmarshal(v, elem, zero(), path === '' ? key : `${path}.${key}`);
      if (r.good || (isNullNode(v) && (isNew || !out.has(key)))) out.set(key, r.value);
    });
    if (mergeNode !== undefined) {
      mergeInto(d, n, mergeNode, merged, (m, set) => {
        if (checkDuplicateKeys(d, m, path)) decodeMapping(d, m, out, isNew, path, set);
      });
    }
  };
  return (d, n, cur, path) => {
    if (n.kind === 'mapping') {
      if (!checkDuplicateKeys(d, n, path)) return { good: false, value: cur };
      const out = cur ?? new Map<string, T>();
      decodeMapping(d, n, out, cur === null, path, undefined);
      return { good: true, value: out };
    }
    if (isNullNode(n)) return nullFor(cur, true);
    d.terror(n, n.kind === 'sequence' ? '!!seq' : scalarResolved(n).tag, name, path);
    return { good: false, value: cur };
  };
}

/**
 * A Go type with its own UnmarshalYAML(node). yaml.v3 skips it for null nodes (the underlying kind's
 * null handling applies: `nilable` for slice kinds). Errors thrown by `fn` stop decoding.
 */
export function goCustom<T>(fn: (n: YNode, cur: T, path: string) => T, nilable: boolean): GoType<T> {
  return (_d, n, cur, path) => {
    if (isNullNode(n)) return nullFor(cur, nilable);
    try {
      return { good: true, value: fn(n, cur, path) };
    } catch (e) {
      if (e instanceof GoYamlFatal) {
        e.line ??= n.line;
        e.path ??= path;
      }
      throw e;
    }
  };
}

/** node.Decode(&v) inside a custom unmarshaler: a fresh decoder; type errors make it fail. */
export function decodeFresh<T>(n: YNode, type: GoType<T>, cur: T, path: string): T {
  const problems: Problem[] = [];
  const d = new Decoder(problems);
  const r = d.unmarshal(n, type, cur, path);
  if (problems.length > 0) {
    const first = problems[0]!;
    const e = new GoYamlFatal(first.message, first.rule, first.line);
    e.path = first.path;
    throw e;
  }
  return r.value;
}

export const goStringList = goSlice(goString, () => '', 'a list of strings');
export const goStringMap = goMap(goString, () => '', 'a map of strings');
