/**
 * YAML nodes as gopkg.in/yaml.v3 sees them, built from the `yaml` package's AST (failsafe schema:
 * every scalar stays text), and yaml.v3's resolution of plain scalars (null, bool, int, float,
 * timestamp, string) including its checks of explicit tags.
 */
import { LineCounter, type Node as YamlAstNode, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, visit } from 'yaml';
import { type Problem, ValidationError, problem } from '../errors.ts';
import { parseGoFloat, parseGoInt, parseGoUint } from './goStrconv.ts';

export type Kind = 'scalar' | 'mapping' | 'sequence' | 'alias';

/** A node as yaml.v3 sees it. `tag` is the short tag yaml.v3 stores (resolved for plain scalars). */
export interface YNode {
  kind: Kind;
  tag: string;
  /** quoted and block scalars are strings whatever they contain */
  quoted: boolean;
  value: string;
  readonly line: number;
  /** mapping: key, value, key, value…; sequence: items */
  readonly content: YNode[];
  readonly alias: YNode | undefined;
}

const CORE = 'tag:yaml.org,2002:';

/** yaml.v3 resolve(""/tag, value): the tag a plain scalar resolves to and its value. */
export type Resolved =
  | { tag: '!!null'; value: null }
  | { tag: '!!bool'; value: boolean }
  | { tag: '!!int'; value: bigint }
  | { tag: '!!float'; value: number }
  | { tag: '!!str'; value: string }
  | { tag: '!!timestamp'; value: string }
  | { tag: '!!merge'; value: string }
  | { tag: string; value: string };

const RESOLVE_MAP: Record<string, Resolved> = {};
for (const s of ['true', 'True', 'TRUE']) RESOLVE_MAP[s] = { tag: '!!bool', value: true };
for (const s of ['false', 'False', 'FALSE']) RESOLVE_MAP[s] = { tag: '!!bool', value: false };
for (const s of ['', '~', 'null', 'Null', 'NULL']) RESOLVE_MAP[s] = { tag: '!!null', value: null };
for (const s of ['.nan', '.NaN', '.NAN']) RESOLVE_MAP[s] = { tag: '!!float', value: NaN };
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']) RESOLVE_MAP[s] = { tag: '!!float', value: Infinity };
for (const s of ['-.inf', '-.Inf', '-.INF']) RESOLVE_MAP[s] = { tag: '!!float', value: -Infinity };
RESOLVE_MAP['<<'] = { tag: '!!merge', value: '<<' };

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const RESOLVABLE = new Set(['', '!!str', '!!bool', '!!int', '!!float', '!!null', '!!timestamp']);

function daysIn(month: number, year: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** yaml.v3 parseTimestamp (the allowed formats of time.Parse, approximated closely). */
function isTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return false;
  if (m[4] === undefined) return true;
  if (Number(m[5]) > 23 || Number(m[6]) > 59 || Number(m[7]) > 59) return false;
  return m[4] === ' ' ? m[8] === undefined : m[8] !== undefined;
}

function resolveNumber(plain: string, allowTimestamp: boolean, raw: string): Resolved | undefined {
  if (allowTimestamp && isTimestamp(raw)) return { tag: '!!timestamp', value: raw };
  const i = parseGoInt(plain, 0);
  if (i !== undefined) return { tag: '!!int', value: i };
  const u = parseGoUint(plain, 0);
  if (u !== undefined) return { tag: '!!int', value: u };
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = parseGoFloat(plain);
    if (f !== undefined) return { tag: '!!float', value: f };
  }
  for (const [prefix, base] of [['0b', 2], ['-0b', 2], ['0o', 8], ['-0o', 8]] as const) {
    if (plain.startsWith(prefix)) {
      const digits = (prefix.startsWith('-') ? '-' : '') + plain.slice(prefix.length);
      const v = parseGoInt(digits, base) ?? (prefix.startsWith('-') ? undefined : parseGoUint(digits, base));
      if (v !== undefined) return { tag: '!!int', value: v };
      break;
    }
  }
  return undefined;
}

/** yaml.v3 resolve(tag, in), including its "cannot decode X as Y" failure for explicit tags. */
export function resolve(tag: string, input: string): Resolved {
  if (!RESOLVABLE.has(tag)) return { tag, value: input };
  let r: Resolved = { tag: '!!str', value: input };
  const c = input[0];
  const hint = input === '' ? 'N' : c === '+' || c === '-' ? 'S' : c! >= '0' && c! <= '9' ? 'D' : 'yYnNtTfFoO~'.includes(c!) ? 'M' : c === '.' ? '.' : '';
  if (hint !== '' && tag !== '!!str') {
    const mapped = RESOLVE_MAP[input];
    if (mapped !== undefined) r = mapped;
    else if (hint === '.') {
      const f = parseGoFloat(input);
      if (f !== undefined) r = { tag: '!!float', value: f };
    } else if (hint === 'D' || hint === 'S') {
      r = resolveNumber(input.replaceAll('_', ''), tag === '' || tag === '!!timestamp', input) ?? r;
    }
  }
  if (tag === '' || tag === r.tag || tag === '!!str') return r;
  if (tag === '!!float' && r.tag === '!!int') return { tag: '!!float', value: Number(r.value as bigint) };
  throw new GoYamlFatal(`cannot decode ${r.tag} \`${input}\` as a ${tag}`);
}

/** A failure that stops decoding at once (yaml.v3 failf, or an error from a custom unmarshaler). */
export class GoYamlFatal extends Error {
  override name = 'GoYamlFatal';
  line: number | undefined;
  path: string | undefined;
  rule: string;
  constructor(message: string, rule = 'sdl-yaml', line?: number) {
    super(message);
    this.rule = rule;
    this.line = line;
  }
}

// --- building nodes from the yaml AST --------------------------------------------------------------

interface ParsedYaml {
  root: YNode | undefined;
}

function shortTag(tag: string | undefined): string {
  if (tag === undefined || tag === '' || tag === '!') return '';
  return tag.startsWith(CORE) ? `!!${tag.slice(CORE.length)}` : tag;
}

interface AstContext {
  doc: Document;
  lines: LineCounter;
  /** one wrapper per AST node, so aliases share their target's decoded content */
  nodes: Map<YamlAstNode, AstNode>;
  /** anchors in document order: name → [start offset, node][] (built on the first alias) */
  anchors: Map<string, [number, YamlAstNode][]> | undefined;
}

/** The node an alias refers to: the last node with that anchor before the alias (one index per document). */
function resolveAlias(ctx: AstContext, name: string, at: number): YamlAstNode | undefined {
  if (ctx.anchors === undefined) {
    const anchors = new Map<string, [number, YamlAstNode][]>();
    visit(ctx.doc, (_key, node) => {
      if (node === null || typeof node !== 'object') return;
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor !== undefined && anchor !== '' && !isAlias(node)) {
        const list = anchors.get(anchor) ?? [];
        list.push([(node as YamlAstNode).range?.[0] ?? 0, node as YamlAstNode]);
        anchors.set(anchor, list);
      }
    });
    ctx.anchors = anchors;
  }
  let found: YamlAstNode | undefined;
  for (const [start, node] of ctx.anchors.get(name) ?? []) {
    if (start < at) found = node;
    else break;
  }
  return found;
}

function wrap(ast: YamlAstNode | null, ctx: AstContext, fallbackOffset: number): AstNode {
  if (ast === null) return new AstNode(null, ctx, fallbackOffset);
  let node = ctx.nodes.get(ast);
  if (node === undefined) {
    node = new AstNode(ast, ctx, fallbackOffset);
    ctx.nodes.set(ast, node);
  }
  return node;
}

class AstNode implements YNode {
  kind: Kind;
  tag: string;
  quoted: boolean;
  value: string;
  #line: number | undefined;
  readonly #offset: number;
  #content: YNode[] | undefined;
  #alias: YNode | undefined | null = null;
  readonly #ast: YamlAstNode | null;
  readonly #ctx: AstContext;

  get line(): number {
    this.#line ??= this.#ctx.lines.linePos(this.#offset).line;
    return this.#line;
  }

  constructor(ast: YamlAstNode | null, ctx: AstContext, fallbackOffset: number) {
    this.#ast = ast;
    this.#ctx = ctx;
    this.#offset = ast?.range?.[0] ?? fallbackOffset;
    const explicit = shortTag(ast && 'tag' in ast ? (ast.tag as string | undefined) : undefined);
    if (ast === null || isScalar(ast)) {
      this.kind = 'scalar';
      const v = ast?.value;
      this.value = typeof v === 'string' ? v : v === null || v === undefined ? '' : (ast?.source ?? String(v));
      this.quoted = ast !== null && ast.type !== undefined && ast.type !== 'PLAIN';
      if (explicit !== '') this.tag = explicit;
      else if (this.quoted) this.tag = '!!str';
      else if (this.value === '<<') this.tag = '!!merge';
      else this.tag = resolve('', this.value).tag;
    } else if (isMap(ast)) {
      this.kind = 'mapping';
      this.value = '';
      this.quoted = false;
      this.tag = explicit === '' ? '!!map' : explicit;
    } else if (isSeq(ast)) {
      this.kind = 'sequence';
      this.value = '';
      this.quoted = false;
      this.tag = explicit === '' ? '!!seq' : explicit;
    } else if (isAlias(ast)) {
      this.kind = 'alias';
      this.value = ast.source;
      this.quoted = false;
      this.tag = '';
    } else {
      throw new GoYamlFatal('unsupported YAML node');
    }
  }

  get content(): YNode[] {
    if (this.#content === undefined) {
      const ast = this.#ast;
      const end = ast?.range?.[1] ?? 0;
      if (ast !== null && isMap(ast)) {
        this.#content = [];
        for (const pair of ast.items) {
          const key = (pair.key ?? null) as YamlAstNode | null;
          const value = (pair.value ?? null) as YamlAstNode | null;
          this.#content.push(wrap(key, this.#ctx, end), wrap(value, this.#ctx, key?.range?.[1] ?? end));
        }
      } else if (ast !== null && isSeq(ast)) {
        this.#content = ast.items.map((item) => wrap((item ?? null) as YamlAstNode | null, this.#ctx, end));
      } else this.#content = [];
    }
    return this.#content;
  }

  get alias(): YNode | undefined {
    if (this.#alias === null) {
      const ast = this.#ast;
      if (ast !== null && isAlias(ast)) {
        const target = resolveAlias(this.#ctx, ast.source, ast.range?.[0] ?? 0);
        this.#alias = target === undefined ? undefined : wrap(target, this.#ctx, 0);
      } else this.#alias = undefined;
    }
    return this.#alias;
  }
}

/**
 * Parses YAML text the way yaml.Unmarshal reads it: the first document only. Returns undefined for
 * an empty stream. Syntax errors throw a ValidationError with their line.
 *
 * Aliases are never expanded here (we do not call the yaml package's toJS, where its maxAliasCount
 * applies): the decoder follows them one by one and enforces yaml.v3's own alias budget.
 */
export function parseYamlForGo(text: string): ParsedYaml {
  const lines = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, lineCounter: lines, prettyErrors: false, strict: true });
  } catch (e) {
    // e.g. a stack overflow on absurdly deep nesting inside the YAML parser
    throw new ValidationError([problem('', 'yaml-syntax', `YAML cannot be parsed: ${e instanceof Error ? e.message : String(e)}`)]);
  }
  const list = Array.isArray(docs) ? docs : [];
  const doc = list[0];
  if (doc === undefined) return { root: undefined };
  if (doc.errors.length > 0) {
    const problems: Problem[] = doc.errors.map((e) => problem('', 'yaml-syntax', e.message.split('\n')[0]!, lines.linePos(e.pos[0]).line));
    throw new ValidationError(problems);
  }
  const contents = doc.contents as YamlAstNode | null;
  if (contents === null) return { root: undefined };
  const ctx: AstContext = { doc: doc as Document, lines, nodes: new Map(), anchors: undefined };
  return { root: wrap(contents, ctx, 0) };
}
