/**
 * TypeBox schema → Kubernetes structural schema (apiextensions.k8s.io/v1 JSONSchemaProps).
 *
 * TypeBox emits JSON Schema that the API server refuses or misreads: literal unions become
 * `anyOf: [{const, type}]` (no `const` allowed, no `type` inside `anyOf`), `Record` becomes
 * `patternProperties`, and schemas carry `$id` and symbol keys. This converts what our kinds use
 * and throws on anything else, so a schema change that would produce a non-structural CRD fails at
 * generation time, naming the path.
 */

/** The subset of JSONSchemaProps our CRDs use. */
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  additionalProperties?: JSONSchemaProps;
  items?: JSONSchemaProps;
  enum?: (string | number)[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: { rule: string; message: string }[];
}

/** Keywords copied through unchanged when present on a TypeBox node. */
const PASSTHROUGH = [
  'description',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'nullable',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-validations',
] as const;

/** Keywords TypeBox may put on a node that carry no meaning for the API server. */
const DROPPED = new Set(['$id', '$schema', 'title']);

type Node = Record<string, unknown>;

export class StructuralSchemaError extends Error {
  override name = 'StructuralSchemaError';
}

/** Converts a TypeBox schema (any TSchema) into a structural schema. */
export function toStructuralSchema(schema: unknown): JSONSchemaProps {
  // JSON round trip drops TypeBox's symbol keys ([Kind], [OptionalKind], …).
  return convert(JSON.parse(JSON.stringify(schema)) as Node, '');
}

function convert(node: Node, path: string): JSONSchemaProps {
  const where = path === '' ? '<root>' : path;
  if (Array.isArray(node.anyOf)) return convertUnion(node, where);
  for (const key of ['$ref', 'allOf', 'oneOf', 'not', 'const', 'definitions', '$defs']) {
    if (key in node) {
      throw new StructuralSchemaError(`${where}: '${key}' is not allowed in a structural schema`);
    }
  }
  const out: JSONSchemaProps = {};
  const type = node.type;
  if (type !== undefined) {
    if (typeof type !== 'string' || !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(type)) {
      throw new StructuralSchemaError(`${where}: type ${JSON.stringify(type)} has no structural equivalent`);
    }
    out.type = type as JSONSchemaProps['type'];
  } else if (!node['x-kubernetes-preserve-unknown-fields'] && !node['x-kubernetes-int-or-string']) {
    throw new StructuralSchemaError(`${where}: every node needs a type (or a deliberate x-kubernetes-* escape)`);
  }
  for (const key of PASSTHROUGH) {
    if (node[key] !== undefined) (out as Record<string, unknown>)[key] = node[key];
  }
  if (type === 'object') convertObject(node, out, path);
  if (type === 'array') {
    const items = node.items;
    if (items === null || typeof items !== 'object' || Array.isArray(items)) {
      throw new StructuralSchemaError(`${where}: an array needs one items schema`);
    }
    out.items = convert(items as Node, `${path}[]`);
  }
  for (const key of Object.keys(node)) {
    if (!(key in out) && !isHandled(key)) {
      throw new StructuralSchemaError(`${where}: keyword '${key}' is not supported by the CRD generator`);
    }
  }
  return out;
}

function isHandled(key: string): boolean {
  return DROPPED.has(key) || ['type', 'properties', 'required', 'items', 'patternProperties', 'additionalProperties'].includes(key);
}

function convertObject(node: Node, out: JSONSchemaProps, path: string): void {
  const props = node.properties as Record<string, Node> | undefined;
  const pattern = node.patternProperties as Record<string, Node> | undefined;
  if (props && pattern) throw new StructuralSchemaError(`${path}: properties and a map at once`);
  if (pattern) {
    // TypeBox Record(String, X) → patternProperties {'^(.*)$': X}; a CRD map is additionalProperties.
    const entries = Object.values(pattern);
    if (entries.length !== 1 || entries[0] === undefined) {
      throw new StructuralSchemaError(`${path}: only Record(String, T) maps are supported`);
    }
    out.additionalProperties = convert(entries[0], `${path}{}`);
    return;
  }
  if (node.additionalProperties !== undefined && node.additionalProperties !== false) {
    throw new StructuralSchemaError(`${path}: additionalProperties on an object with properties`);
  }
  if (props) {
    out.properties = {};
    for (const [name, child] of Object.entries(props)) {
      out.properties[name] = convert(child, path === '' ? name : `${path}.${name}`);
    }
  }
  const required = node.required as string[] | undefined;
  if (required && required.length > 0) out.required = [...required];
}

function convertUnion(node: Node, where: string): JSONSchemaProps {
  const members = node.anyOf as Node[];
  const values = members.map((m) => m.const);
  if (members.length === 0 || values.some((v) => typeof v !== 'string')) {
    throw new StructuralSchemaError(`${where}: only unions of string literals are supported (emitted as enum)`);
  }
  const out: JSONSchemaProps = { type: 'string', enum: values as string[] };
  if (typeof node.description === 'string') out.description = node.description;
  return out;
}
