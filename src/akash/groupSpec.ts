/**
 * Deployment group specs (akash.deployment.v1beta4.GroupSpec): what the chain records for each group
 * of a deployment, against which a received manifest is checked. Property names are the Go json
 * tags (snake_case here). `price.amount` is a cosmos LegacyDec in its text form (18 decimals).
 */
import { canonicalResourcesJson } from './canonical.ts';
import { goQuote } from './goJson.ts';
import type { Attribute, ResourceValue, Resources } from './manifest.ts';

export interface SignedBy {
  all_of: string[] | null;
  any_of: string[] | null;
}

export interface PlacementRequirements {
  signed_by: SignedBy;
  attributes: Attribute[] | null;
}

export interface DecCoin {
  denom: string;
  /** LegacyDec text, e.g. "250.000000000000000000". */
  amount: string;
}

export interface ResourceUnit {
  resource: Resources;
  count: number;
  price: DecCoin;
}

export interface GroupSpec {
  name: string;
  requirements: PlacementRequirements;
  resources: ResourceUnit[] | null;
}

function strings(list: string[] | null): string {
  return list === null ? 'null' : `[${list.map(goQuote).join(',')}]`;
}

function attribute(a: Attribute): string {
  const parts: string[] = [];
  if (a.key !== '') parts.push(`"key":${goQuote(a.key)}`);
  if (a.value !== '') parts.push(`"value":${goQuote(a.value)}`);
  return `{${parts.join(',')}}`;
}

function resourceUnit(u: ResourceUnit): string {
  const denom = u.price.denom === '' ? '' : `,"denom":${goQuote(u.price.denom)}`;
  return `{"count":${u.count},"price":{"amount":${goQuote(u.price.amount)}${denom}},"resource":${canonicalResourcesJson(u.resource)}}`;
}

function groupSpec(g: GroupSpec): string {
  const r = g.requirements;
  const attrs = r.attributes === null ? 'null' : `[${r.attributes.map(attribute).join(',')}]`;
  const signedBy = `{"all_of":${strings(r.signed_by.all_of)},"any_of":${strings(r.signed_by.any_of)}}`;
  const units = g.resources === null ? 'null' : `[${g.resources.map(resourceUnit).join(',')}]`;
  return `{"name":${goQuote(g.name)},"requirements":{"attributes":${attrs},"signed_by":${signedBy}},"resources":${units}}`;
}

// --- reading group specs (trusted data: the chain's JSON or the chain SDK's protobuf objects) ------

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0);
const strList = (v: unknown): string[] | null => (Array.isArray(v) ? v.map(str) : null);
const textOf = (v: unknown): string | null => {
  if (v instanceof Uint8Array) return new TextDecoder().decode(v); // chain SDK: math.Int bytes are its decimal text
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return null;
};
const value = (v: unknown): ResourceValue => {
  const t = textOf(obj(v).val);
  return { val: t === null ? null : BigInt(t).toString() };
};
const attributes = (v: unknown): Attribute[] | null => (Array.isArray(v) ? v.map((a) => ({ key: str(obj(a).key), value: str(obj(a).value) })) : null);

function resourcesOf(v: unknown): Resources {
  const r = obj(v);
  const unit = (u: unknown): { units: ResourceValue; attributes: Attribute[] | null } | null =>
    u === null || u === undefined ? null : { units: value(obj(u).units), attributes: attributes(obj(u).attributes) };
  const mem = r.memory;
  return {
    id: num(r.id),
    cpu: unit(r.cpu),
    gpu: unit(r.gpu),
    memory: mem === null || mem === undefined ? null : { size: value(obj(mem).size ?? obj(mem).quantity), attributes: attributes(obj(mem).attributes) },
    storage: Array.isArray(r.storage)
      ? r.storage.map((s) => ({ name: str(obj(s).name), size: value(obj(s).size ?? obj(s).quantity), attributes: attributes(obj(s).attributes) }))
      : null,
    endpoints: Array.isArray(r.endpoints) ? r.endpoints.map((e) => ({ kind: num(obj(e).kind), sequence_number: num(obj(e).sequence_number ?? obj(e).sequenceNumber) })) : null,
  };
}

/**
 * Group specs from their Go JSON form (snake_case, as `akash query deployment` prints them) or from
 * the chain SDK's protobuf objects (camelCase, `quantity`, values as Uint8Array). Prices are kept as
 * given: the protobuf DecCoin amount is the raw integer of 10^-18 units, not the decimal text; the
 * manifest check does not use prices.
 */
export function groupSpecsFrom(list: readonly unknown[]): GroupSpec[] {
  return list.map((g) => {
    const spec = obj(g);
    const req = obj(spec.requirements);
    const signed = obj(req.signed_by ?? req.signedBy);
    return {
      name: str(spec.name),
      requirements: {
        signed_by: { all_of: strList(signed.all_of ?? signed.allOf), any_of: strList(signed.any_of ?? signed.anyOf) },
        attributes: attributes(req.attributes),
      },
      resources: Array.isArray(spec.resources)
        ? spec.resources.map((u) => ({
            resource: resourcesOf(obj(u).resource),
            count: num(obj(u).count),
            price: { denom: str(obj(obj(u).price).denom), amount: str(obj(obj(u).price).amount) },
          }))
        : null,
    };
  });
}

/** Go-canonical JSON of group specs (json.Marshal then SortJSON), as `sdl.DeploymentGroups()` gives them. */
export function canonicalGroupSpecsJson(specs: GroupSpec[]): string {
  return `[${specs.map(groupSpec).join(',')}]`;
}
