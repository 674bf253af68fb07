/**
 * The checks Go's provider runs on a received manifest before accepting it: `Manifest.Validate()`
 * and `Manifest.CheckAgainstDeployment()` against the on-chain group specs
 * (`pkg.akt.dev/go/manifest/v2beta3`). Go stops at the first failure; we report every problem with
 * its JSON path, and accept exactly when Go does. Where Go would panic (a resource value that was
 * never set, more storage volumes than the group spec), we report a problem instead.
 */
import { type Problem, ValidationError, problem } from './errors.ts';
import type { GroupSpec, ResourceUnit } from './groupSpec.ts';
import { goCompare, goLen } from './goStrings.ts';
import { type Attribute, type Manifest, type ResourceValue, type Resources, type Service, type ServiceExpose, EndpointKind } from './manifest.ts';

const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/; // k8s IsEnvVarName
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** k8s validation.IsEnvVarName (the regexp plus hasChDirPrefix). */
export function isEnvVarName(name: string): boolean {
  return ENV_VAR_NAME.test(name) && name !== '.' && name !== '..' && !name.startsWith('..');
}

/** The manifest's hostname rule: at most 255 bytes and a DNS-1123 subdomain (so at most 253). */
export function isValidHostname(host: string): boolean {
  return goLen(host) <= 253 && DNS1123_SUBDOMAIN.test(host);
}

/** ServiceExposes.Less: by service, port, proto, then global ones first. */
export function exposeLess(a: ServiceExpose, b: ServiceExpose): boolean {
  if (a.service !== b.service) return goCompare(a.service, b.service) < 0;
  if (a.port !== b.port) return a.port < b.port;
  if (a.proto !== b.proto) return goCompare(a.proto, b.proto) < 0;
  if (a.global !== b.global) return a.global;
  return false;
}

/** The externally visible port: `externalPort`, or `port` when it is 0. */
export const externalPortOf = (e: ServiceExpose): number => (e.externalPort === 0 ? e.port : e.externalPort);

/** A global TCP expose on external port 80 goes through the shared HTTP ingress. */
export const isIngress = (e: ServiceExpose): boolean => e.proto === 'TCP' && e.global && externalPortOf(e) === 80;

function validateService(s: Service, path: string, hostnames: Map<string, string>, out: Problem[]): number {
  let globals = 0;
  if (s.name === '') out.push(problem(`${path}.name`, 'service-name', 'must not be empty'));
  else if (!SERVICE_NAME.test(s.name)) out.push(problem(`${path}.name`, 'service-name', `must match ${SERVICE_NAME.source}, got ${JSON.stringify(s.name)}`));
  if (s.image === '') out.push(problem(`${path}.image`, 'image-empty', 'must not be empty'));

  const r = s.resources;
  const rp = `${path}.resources`;
  if (r.id === 0) out.push(problem(`${rp}.id`, 'resources-id', 'must be > 0, got 0'));
  if (r.cpu === null) out.push(problem(`${rp}.cpu`, 'resources-missing', 'must not be null'));
  if (r.gpu === null) out.push(problem(`${rp}.gpu`, 'resources-missing', 'must not be null'));
  if (r.memory === null) out.push(problem(`${rp}.memory`, 'resources-missing', 'must not be null'));
  if (r.storage === null) out.push(problem(`${rp}.storage`, 'resources-missing', 'must not be null (an empty list is written as omitted, so send at least one volume)'));
  if (r.endpoints === null) out.push(problem(`${rp}.endpoints`, 'resources-missing', 'must not be null'));

  (s.env ?? []).forEach((entry, i) => {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (!isEnvVarName(name)) out.push(problem(`${path}.env[${i}]`, 'env-name', `invalid variable name ${JSON.stringify(name)}`));
  });

  const exposes = s.expose ?? [];
  for (let i = exposes.length - 1; i > 0; i--) {
    if (exposeLess(exposes[i]!, exposes[i - 1]!)) {
      out.push(problem(`${path}.expose`, 'expose-order', 'must be sorted by service, port, proto, global first'));
      break;
    }
  }
  exposes.forEach((e, i) => {
    const ep = `${path}.expose[${i}]`;
    if (e.port === 0 || e.port > 65535) out.push(problem(`${ep}.port`, 'port-range', `must be 1..65535, got ${e.port}`));
    if (e.proto !== 'TCP' && e.proto !== 'UDP') out.push(problem(`${ep}.proto`, 'proto', `must be TCP or UDP, got ${JSON.stringify(e.proto)}`));
    if (e.global) globals++;
    (e.hosts ?? []).forEach((host, h) => {
      const hp = `${ep}.hosts[${h}]`;
      if (!isValidHostname(host)) out.push(problem(hp, 'hostname', `invalid hostname ${JSON.stringify(host)}`));
      const first = hostnames.get(host);
      if (first !== undefined) out.push(problem(hp, 'hostname-duplicate', `hostname ${JSON.stringify(host)} is already used at ${first}`));
      else hostnames.set(host, hp);
    });
  });
  return globals;
}

/** Manifest.Validate(): every problem, or [] when Go accepts the manifest. */
export function validateManifest(m: Manifest): Problem[] {
  const out: Problem[] = [];
  if (m === null || m.length === 0) return [problem('groups', 'manifest-empty', 'must contain at least one group')];
  const hostnames = new Map<string, string>();
  const names = new Map<string, number>();
  let globals = 0;
  m.forEach((g, gi) => {
    const gp = `groups[${gi}]`;
    const services = g.services ?? [];
    if (services.length === 0) out.push(problem(`${gp}.services`, 'group-empty', `group ${JSON.stringify(g.name)} has no services`));
    for (let i = services.length - 1; i > 0; i--) {
      if (goCompare(services[i]!.name, services[i - 1]!.name) < 0) {
        out.push(problem(`${gp}.services`, 'services-order', 'must be sorted by name'));
        break;
      }
    }
    services.forEach((s, si) => (globals += validateService(s, `${gp}.services[${si}]`, hostnames, out)));
    const first = names.get(g.name);
    if (first !== undefined) out.push(problem(`${gp}.name`, 'group-duplicate', `group ${JSON.stringify(g.name)} is already defined at groups[${first}]`));
    else names.set(g.name, gi);
  });
  if (globals === 0) out.push(problem('groups', 'no-global-service', 'at least one service must be exposed globally'));
  return out;
}

// --- against the on-chain group specs ------------------------------------------------------------

function valueEqual(a: ResourceValue, b: ResourceValue): boolean | undefined {
  if (a.val === null || b.val === null) return undefined; // Go: nil big.Int dereference (panic)
  return BigInt(a.val) === BigInt(b.val);
}

function attributesEqual(a: Attribute[] | null, b: Attribute[] | null): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((attr, i) => attr.key === y[i]!.key && attr.value === y[i]!.value);
}

interface Unit {
  units?: ResourceValue;
  size?: ResourceValue;
  attributes: Attribute[] | null;
}

/** gogoproto Equal of the CPU/GPU/Memory pointers: nil equals only nil. */
function unitEqual(a: Unit | null, b: Unit | null): boolean | undefined {
  if (a === null || b === null) return a === b;
  const eq = valueEqual((a.units ?? a.size)!, (b.units ?? b.size)!);
  return eq === undefined ? undefined : eq && attributesEqual(a.attributes, b.attributes);
}

/** Volumes.Equal: compares the manifest's volumes with the spec's at the same index (no length check). */
function storageEqual(m: Resources['storage'], g: Resources['storage']): boolean | undefined {
  const mine = m ?? [];
  const theirs = g ?? [];
  for (let i = 0; i < mine.length; i++) {
    const other = theirs[i];
    if (other === undefined) return undefined; // Go: index out of range (panic)
    const eq = valueEqual(mine[i]!.size, other.size);
    if (eq === undefined) return undefined;
    if (mine[i]!.name !== other.name || !eq || !attributesEqual(mine[i]!.attributes, other.attributes)) return false;
  }
  return true;
}

interface EndpointBudget {
  http: number;
  port: number;
  ip: number;
}

function checkService(s: Service, path: string, units: ResourceUnit[], remaining: Map<ResourceUnit, number>, budgets: Map<number, EndpointBudget>, out: Problem[]): void {
  const unit = units.find((u) => u.resource.id === s.resources.id);
  if (unit === undefined) {
    out.push(problem(`${path}.resources.id`, 'resources-unknown', `no resources with id ${s.resources.id} in the group spec`));
    return;
  }
  const left = remaining.get(unit)!;
  if (s.count > left) out.push(problem(`${path}.count`, 'count-over', `${s.count} replicas exceed the ${left} left in the group spec for resources id ${unit.resource.id}`));
  const compare = (what: string, eq: boolean | undefined): void => {
    if (eq === undefined) out.push(problem(`${path}.resources.${what}`, 'resource-value', 'a resource value is missing or a volume has no counterpart in the group spec'));
    else if (!eq) out.push(problem(`${path}.resources.${what}`, `${what}-mismatch`, `differs from the group spec's resources id ${unit.resource.id}`));
  };
  compare('cpu', unitEqual(s.resources.cpu, unit.resource.cpu));
  compare('gpu', unitEqual(s.resources.gpu, unit.resource.gpu));
  compare('memory', unitEqual(s.resources.memory, unit.resource.memory));
  compare('storage', storageEqual(s.resources.storage, unit.resource.storage));
  const budget = budgets.get(unit.resource.id)!;
  (s.expose ?? []).forEach((e, i) => {
    if (!e.global) return;
    const ep = `${path}.expose[${i}]`;
    if (isIngress(e)) {
      if (budget.http === 0) out.push(problem(ep, 'endpoints-over', 'more HTTP endpoints than the group spec has'));
      else budget.http--;
    } else if (budget.port === 0) out.push(problem(ep, 'endpoints-over', 'more port endpoints than the group spec has'));
    else budget.port--;
    if (e.ip !== '') {
      if (budget.ip === 0) out.push(problem(`${ep}.ip`, 'endpoints-over', 'more leased IP endpoints than the group spec has'));
      else budget.ip--;
    }
  });
  remaining.set(unit, left - s.count);
}

/**
 * Manifest.CheckAgainstGSpecs: the manifest must be valid and use exactly the resources, replica
 * counts and endpoints of the deployment's group specs. Returns every problem ([] when accepted).
 */
export function checkManifestAgainstGroupSpecs(m: Manifest, specs: readonly GroupSpec[]): Problem[] {
  const out = validateManifest(m);
  if (out.length > 0) return out;
  const groups = m ?? [];
  if (groups.length !== specs.length) {
    return [problem('groups', 'group-count', `the manifest has ${groups.length} groups, the deployment ${specs.length}`)];
  }
  const byName = new Map<string, GroupSpec>();
  for (const spec of specs) byName.set(spec.name, spec);
  const remaining = new Map<ResourceUnit, number>();
  const budgets = new Map<GroupSpec, Map<number, EndpointBudget>>();
  for (const spec of byName.values()) {
    const perId = new Map<number, EndpointBudget>();
    for (const unit of spec.resources ?? []) {
      remaining.set(unit, unit.count);
      const b: EndpointBudget = { http: 0, port: 0, ip: 0 };
      for (const ep of unit.resource.endpoints ?? []) {
        if (ep.kind === EndpointKind.SHARED_HTTP) b.http++;
        else if (ep.kind === EndpointKind.RANDOM_PORT) b.port++;
        else if (ep.kind === EndpointKind.LEASED_IP) b.ip++;
      }
      perId.set(unit.resource.id, b);
    }
    budgets.set(spec, perId);
  }
  groups.forEach((g, gi) => {
    const spec = byName.get(g.name);
    if (spec === undefined) {
      out.push(problem(`groups[${gi}].name`, 'group-unknown', `the deployment has no group ${JSON.stringify(g.name)}`));
      return;
    }
    (g.services ?? []).forEach((s, si) => checkService(s, `groups[${gi}].services[${si}]`, spec.resources ?? [], remaining, budgets.get(spec)!, out));
  });
  if (out.length > 0) return out;
  for (const spec of byName.values()) {
    const where = `groupSpecs[${JSON.stringify(spec.name)}]`;
    for (const [id, b] of budgets.get(spec)!) {
      for (const [kind, left] of [['HTTP', b.http], ['port', b.port], ['leased IP', b.ip]] as const) {
        if (left > 0) out.push(problem(`${where}.resources[id=${id}]`, 'endpoints-under', `${left} ${kind} endpoints of the group spec are not used by the manifest`));
      }
    }
    for (const unit of spec.resources ?? []) {
      const left = remaining.get(unit)!;
      if (left > 0) out.push(problem(`${where}.resources[id=${unit.resource.id}]`, 'count-under', `${left} replicas of the group spec are not used by the manifest`));
    }
  }
  return out;
}

/** Throws a ValidationError listing every problem unless Go's provider would accept the manifest. */
export function assertManifestAcceptable(m: Manifest, specs?: readonly GroupSpec[]): void {
  const problems = specs === undefined ? validateManifest(m) : checkManifestAgainstGroupSpecs(m, specs);
  if (problems.length > 0) throw new ValidationError(problems);
}
