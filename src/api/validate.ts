/**
 * Runtime validation of our kinds with the same TypeBox schemas the CRDs come from. Errors name the
 * field the way a person reads it (`spec.groups[0].services[1].expose[0].port: must be an integer
 * in 1..65535, got 0`), never a JSON pointer.
 */
import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Lease } from './lease.ts';
import { Manifest } from './manifest.ts';
import { Service } from './service.ts';

// RFC 3339 as the API server writes metav1.Time; TypeBox refuses unknown formats.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => RFC3339.test(v) && !Number.isNaN(Date.parse(v)));

export interface SchemaIssue {
  /** `spec.groups[0].name`, or '' for the object itself. */
  path: string;
  message: string;
}

/** A value that does not match its schema. The message lists every issue, one per line. */
export class SchemaValidationError extends Error {
  override name = 'SchemaValidationError';
  readonly issues: SchemaIssue[];
  constructor(what: string, issues: SchemaIssue[]) {
    super(`${what} is invalid:\n${issues.map((i) => `  ${i.path === '' ? '<root>' : i.path}: ${i.message}`).join('\n')}`);
    this.issues = issues;
  }
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checker<T extends TSchema>(schema: T): TypeCheck<T> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<T>;
}

/** The issues of `value` against `schema`, with paths prefixed by `root` (e.g. `spec`). */
export function schemaIssues(schema: TSchema, value: unknown, root = ''): SchemaIssue[] {
  const check = checker(schema);
  if (check.Check(value)) return [];
  const errors = [...check.Errors(value)];
  // A missing property is also reported as "expected string" at the same path: keep the clearer one.
  const missing = new Set(errors.filter((e) => e.type === ValueErrorType.ObjectRequiredProperty).map((e) => e.path));
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const e of errors) {
    if (missing.has(e.path) && e.type !== ValueErrorType.ObjectRequiredProperty) continue;
    const issue = { path: joinPath(root, pointerToPath(e.path)), message: describe(e) };
    const key = `${issue.path}\0${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

/** Returns `value` typed when it matches `schema`; throws SchemaValidationError otherwise. */
export function validate<T extends TSchema>(schema: T, value: unknown, what: string, root = ''): Static<T> {
  const issues = schemaIssues(schema, value, root);
  if (issues.length > 0) throw new SchemaValidationError(what, issues);
  return value as Static<T>;
}

export function validateLease(value: unknown): Lease {
  return validate(Lease, value, describeObject('Lease', value));
}

export function validateManifest(value: unknown): Manifest {
  return validate(Manifest, value, describeObject('Manifest', value));
}

export function validateService(value: unknown): Service {
  return validate(Service, value, describeObject('Service', value));
}

/** `Service lease-ns/web`, or the bare kind when the object has no name. */
function describeObject(kind: string, value: unknown): string {
  const meta = (value as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  if (typeof meta?.name !== 'string') return kind;
  return typeof meta.namespace === 'string' ? `${kind} ${meta.namespace}/${meta.name}` : `${kind} ${meta.name}`;
}

/** `/spec/groups/0/name` → `spec.groups[0].name` (RFC 6901 unescaping included). */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^(0|[1-9][0-9]*)$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function joinPath(root: string, path: string): string {
  if (root === '') return path;
  if (path === '') return root;
  return path.startsWith('[') ? `${root}${path}` : `${root}.${path}`;
}

function got(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describe(e: ValueError): string {
  const s = e.schema as Record<string, unknown>;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.Integer:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMaximum:
      return `must be an integer${range(s)}, got ${got(e.value)}`;
    case ValueErrorType.Number:
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.NumberMaximum:
      return `must be a number${range(s)}, got ${got(e.value)}`;
    case ValueErrorType.String:
      return `must be a string, got ${got(e.value)}`;
    case ValueErrorType.StringPattern:
      return `must match ${String(s.pattern)}, got ${got(e.value)}`;
    case ValueErrorType.StringMinLength:
      return `must be at least ${String(s.minLength)} characters long, got ${got(e.value)}`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${String(s.maxLength)} characters long`;
    case ValueErrorType.StringFormat:
    case ValueErrorType.StringFormatUnknown:
      return `must be a ${String(s.format)}, got ${got(e.value)}`;
    case ValueErrorType.Boolean:
      return `must be true or false, got ${got(e.value)}`;
    case ValueErrorType.Array:
      return `must be a list, got ${got(e.value)}`;
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(s.minItems)} items`;
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${String(s.maxItems)} items`;
    case ValueErrorType.Object:
      return `must be an object, got ${got(e.value)}`;
    case ValueErrorType.Union: {
      const values = (s.anyOf as { const?: unknown }[] | undefined)?.map((m) => m.const);
      if (values && values.every((v) => typeof v === 'string')) return `must be one of ${values.join(', ')}, got ${got(e.value)}`;
      return `does not match any allowed shape, got ${got(e.value)}`;
    }
    default:
      return `${e.message}, got ${got(e.value)}`;
  }
}

function range(s: Record<string, unknown>): string {
  const min = typeof s.minimum === 'number' ? s.minimum : undefined;
  const max = typeof s.maximum === 'number' ? s.maximum : undefined;
  if (min !== undefined && max !== undefined) return ` in ${min}..${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}
