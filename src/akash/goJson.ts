/**
 * JSON the way Go's encoding/json reads and writes it, for the manifest hash.
 *
 * Reading: `parseGoJson` is a byte-level parser with Go's semantics where they differ from
 * `JSON.parse`: invalid UTF-8 becomes U+FFFD one byte at a time (utf8.DecodeRune), lone surrogate
 * escapes become U+FFFD, duplicate keys are kept in document order (Go applies them in order, merging
 * objects), numbers keep their literal text, only the first value is read (json.Decoder ignores what
 * follows it), nesting deeper than 10000 is refused (Go's scanner limit).
 *
 * Writing: `goQuote` escapes a string as json.Marshal does (HTML-safe: `<` `>` `&`, and U+2028/U+2029).
 */
import { ValidationError } from './errors.ts';

/** An object as parsed by `parseGoJson`: keys in document order, duplicates kept. */
export class GoJsonObject {
  readonly keys: string[] = [];
  readonly values: unknown[] = [];
}

/** A number as parsed by `parseGoJson`: its literal text (Go decodes it per target type). */
export class GoJsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Go's json scanner refuses documents nested deeper than this. */
export const GO_MAX_NESTING = 10000;

const HTML_OR_LINE_SEP = /[<>&\u2028\u2029]/;
const HTML_OR_LINE_SEP_ALL = /[<>&\u2028\u2029]/g;
const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * A JSON string literal exactly as Go's json.Marshal writes it. JSON.stringify already escapes
 * `"`, `\`, and control characters as Go ≥ 1.22 does (\b \f \n \r \t, else \u00xx lowercase); Go also
 * escapes `<` `>` `&` and U+2028/U+2029, which JSON.stringify leaves raw. The input must be
 * well-formed UTF-16 (decoded strings always are).
 */
const PLAIN = /^[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]*$/;

export function goQuote(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`; // printable ASCII with nothing to escape: the common case
  const q = JSON.stringify(s);
  return HTML_OR_LINE_SEP.test(s) ? q.replace(HTML_OR_LINE_SEP_ALL, (c) => GO_ESCAPES[c] ?? c) : q;
}

/**
 * Go's case-insensitive key folding (encoding/json foldName): ASCII letters compare without case,
 * and the two non-ASCII runes whose fold orbit contains an ASCII letter also match it: U+017F (ſ)
 * folds to S and U+212A (Kelvin sign) to K. Returns undefined when the key still holds other
 * non-ASCII characters, which can never match an ASCII field name.
 */
export function goFoldKey(key: string): string | undefined {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x80) out += c >= 0x61 && c <= 0x7a ? String.fromCharCode(c - 0x20) : key[i];
    else if (c === 0x17f) out += 'S';
    else if (c === 0x212a) out += 'K';
    else return undefined;
  }
  return out;
}

function syntaxError(offset: number, what: string): never {
  throw new ValidationError([{ path: '', rule: 'json-syntax', message: `invalid JSON at byte ${offset}: ${what}` }]);
}

const State = { value: 0, objectKey: 1, objectValue: 2, arrayValue: 3 } as const;

interface Frame {
  container: GoJsonObject | unknown[];
  key: string;
  /** An object just opened: `}` may close it without a key. */
  fresh: boolean;
}

/**
 * Parses the first JSON value of `bytes` as Go's json.Decoder would, and returns it with the offset
 * just after it. Throws a ValidationError (rule `json-syntax`) on bad syntax or an empty input.
 */
export function parseGoJson(bytes: Uint8Array): { value: unknown; end: number } {
  const n = bytes.length;
  let i = 0;
  const stack: Frame[] = [];
  let state: number = State.value;
  let result: unknown;

  const skipSpace = (): void => {
    while (i < n) {
      const c = bytes[i]!;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };

  skipSpace();
  if (i >= n) syntaxError(i, 'unexpected end of input (Go: EOF)');

  for (;;) {
    skipSpace();
    if (i >= n) syntaxError(i, 'unexpected end of input');
    const c = bytes[i]!;
    if (state === State.objectKey) {
      if (c === 0x7d /* } */) {
        if (!stack[stack.length - 1]!.fresh) syntaxError(i, "expected '\"' after ','");
        i++;
        const done = stack.pop()!.container;
        if (completeValue(done)) return { value: result, end: i };
        continue;
      }
      if (c !== 0x22) syntaxError(i, "expected '\"' to start an object key");
      const frame = stack[stack.length - 1]!;
      frame.fresh = false;
      frame.key = readString();
      skipSpace();
      if (i >= n || bytes[i] !== 0x3a /* : */) syntaxError(i, "expected ':' after object key");
      i++;
      state = State.value;
      continue;
    }
    if (state === State.objectValue || state === State.arrayValue) {
      const isObject = state === State.objectValue;
      if (c === 0x2c /* , */) {
        i++;
        state = isObject ? State.objectKey : State.value;
        continue;
      }
      if (c === (isObject ? 0x7d : 0x5d)) {
        i++;
        const done = stack.pop()!.container;
        if (completeValue(done)) return { value: result, end: i };
        continue;
      }
      syntaxError(i, isObject ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    // state === value
    let v: unknown;
    if (c === 0x7b /* { */) {
      if (stack.length >= GO_MAX_NESTING) syntaxError(i, `exceeded max depth ${GO_MAX_NESTING}`);
      i++;
      stack.push({ container: new GoJsonObject(), key: '', fresh: true });
      state = State.objectKey;
      continue;
    }
    if (c === 0x5b /* [ */) {
      if (stack.length >= GO_MAX_NESTING) syntaxError(i, `exceeded max depth ${GO_MAX_NESTING}`);
      i++;
      skipSpace();
      if (i < n && bytes[i] === 0x5d) {
        i++;
        v = [];
      } else {
        stack.push({ container: [], key: '', fresh: false });
        state = State.value;
        continue;
      }
    } else if (c === 0x22) {
      v = readString();
    } else if (c === 0x74 /* t */) {
      expectLiteral('true');
      v = true;
    } else if (c === 0x66 /* f */) {
      expectLiteral('false');
      v = false;
    } else if (c === 0x6e /* n */) {
      expectLiteral('null');
      v = null;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      v = readNumber();
    } else {
      // e.g. a closing bracket where a value was expected: `[1,]`
      syntaxError(i, `unexpected character ${JSON.stringify(String.fromCharCode(c))} looking for a value`);
    }
    if (completeValue(v)) return { value: result, end: i };
  }

  /** Stores a finished value into its parent; true when it was the top-level value. */
  function completeValue(v: unknown): boolean {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      result = v;
      return true;
    }
    if (Array.isArray(top.container)) {
      top.container.push(v);
      state = State.arrayValue;
    } else {
      top.container.keys.push(top.key);
      top.container.values.push(v);
      state = State.objectValue;
    }
    return false;
  }

  function expectLiteral(word: string): void {
    for (let k = 0; k < word.length; k++) {
      if (i + k >= n || bytes[i + k] !== word.charCodeAt(k)) syntaxError(i + k, `invalid literal (expected ${word})`);
    }
    i += word.length;
  }

  function readNumber(): GoJsonNumber {
    const start = i;
    if (bytes[i] === 0x2d) i++;
    if (i >= n) syntaxError(i, 'unexpected end of number');
    if (bytes[i] === 0x30) i++;
    else if (bytes[i]! >= 0x31 && bytes[i]! <= 0x39) while (i < n && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i++;
    else syntaxError(i, 'invalid character in numeric literal');
    if (i < n && bytes[i] === 0x2e) {
      i++;
      if (!(i < n && bytes[i]! >= 0x30 && bytes[i]! <= 0x39)) syntaxError(i, 'expected digit after decimal point');
      while (i < n && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i++;
    }
    if (i < n && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
      i++;
      if (i < n && (bytes[i] === 0x2b || bytes[i] === 0x2d)) i++;
      if (!(i < n && bytes[i]! >= 0x30 && bytes[i]! <= 0x39)) syntaxError(i, 'expected digit in exponent');
      while (i < n && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i++;
    }
    let text = '';
    for (let k = start; k < i; k++) text += String.fromCharCode(bytes[k]!);
    return new GoJsonNumber(text);
  }

  /** Reads a string literal starting at the opening quote; Go's unquote semantics. */
  function readString(): string {
    i++; // opening quote
    let out = '';
    let runStart = i;
    for (;;) {
      if (i >= n) syntaxError(i, 'unterminated string');
      const b = bytes[i]!;
      if (b === 0x22) {
        out += asciiRun(runStart, i);
        i++;
        return out;
      }
      if (b < 0x20) syntaxError(i, 'control character in string');
      if (b === 0x5c) {
        out += asciiRun(runStart, i);
        out += readEscape();
        runStart = i;
        continue;
      }
      if (b < 0x80) {
        i++;
        continue;
      }
      out += asciiRun(runStart, i);
      out += decodeRune();
      runStart = i;
    }
  }

  function asciiRun(from: number, to: number): string {
    if (from === to) return '';
    return String.fromCharCode.apply(null, bytes.subarray(from, to) as unknown as number[]);
  }

  function hex4(at: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = bytes[at + k];
      let d: number;
      if (c === undefined) return -1;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else return -1;
      v = v * 16 + d;
    }
    return v;
  }

  function readEscape(): string {
    const e = bytes[i + 1];
    if (e === undefined) syntaxError(i, 'unterminated escape');
    i += 2;
    switch (e) {
      case 0x22: return '"';
      case 0x5c: return '\\';
      case 0x2f: return '/';
      case 0x62: return '\b';
      case 0x66: return '\f';
      case 0x6e: return '\n';
      case 0x72: return '\r';
      case 0x74: return '\t';
      case 0x75: {
        const r = hex4(i);
        if (r < 0) syntaxError(i, 'invalid \\u escape');
        i += 4;
        if (r >= 0xd800 && r < 0xe000) {
          // Go: a valid surrogate pair is combined; anything else becomes U+FFFD.
          if (r < 0xdc00 && bytes[i] === 0x5c && bytes[i + 1] === 0x75) {
            const r2 = hex4(i + 2);
            if (r2 >= 0xdc00 && r2 < 0xe000) {
              i += 6;
              return String.fromCharCode(r, r2);
            }
          }
          return '\ufffd';
        }
        return String.fromCharCode(r);
      }
      default:
        return syntaxError(i - 1, 'invalid escape character');
    }
  }

  /** utf8.DecodeRune: a valid sequence, or U+FFFD consuming exactly one byte. */
  function decodeRune(): string {
    const b0 = bytes[i]!;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b0 < 0xc2) need = -1;
    else if (b0 < 0xe0) need = 1;
    else if (b0 < 0xf0) {
      need = 2;
      if (b0 === 0xe0) lo = 0xa0;
      else if (b0 === 0xed) hi = 0x9f;
    } else if (b0 < 0xf5) {
      need = 3;
      if (b0 === 0xf0) lo = 0x90;
      else if (b0 === 0xf4) hi = 0x8f;
    } else need = -1;
    if (need < 0) {
      i++;
      return '\ufffd';
    }
    const b1 = bytes[i + 1];
    if (b1 === undefined || b1 < lo || b1 > hi) {
      i++;
      return '\ufffd';
    }
    let cp = need === 1 ? b0 & 0x1f : need === 2 ? b0 & 0x0f : b0 & 0x07;
    cp = (cp << 6) | (b1 & 0x3f);
    for (let k = 2; k <= need; k++) {
      const bk = bytes[i + k];
      if (bk === undefined || bk < 0x80 || bk > 0xbf) {
        i++;
        return '\ufffd';
      }
      cp = (cp << 6) | (bk & 0x3f);
    }
    i += need + 1;
    return String.fromCodePoint(cp);
  }
}
