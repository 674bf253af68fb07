/**
 * A received manifest (as Go decodes it) → the spec of our `Manifest` CR, plus the registry
 * credentials as Secrets to write beside it. The `Service` CRs are then built from the Manifest CR's
 * groups by `workloads/service-cr.ts`, so credentials reach them only as Secret references.
 *
 * The CR keeps the wire form with two differences (see api/wire.ts): a Go nil list is an absent
 * field, and `credentials` becomes `credentialsSecretRef`. The password never enters a CR; the
 * Go-canonical bytes, which do contain it and hash to `spec.hash`, live in a Secret of their own.
 * `params.credentials` is not used by the Go provider: it is dropped (it stays in the canonical bytes).
 */
import type { SecretReference } from '../api/common.ts';
import type { ManifestSpec } from '../api/manifest.ts';
import type { Attribute as CrAttribute, ManifestGroup, ManifestService, Resources as CrResources } from '../api/wire.ts';
import { type Problem, ValidationError, problem } from './errors.ts';
import type { Attribute, ImageCredentials, Manifest, ResourceValue, Resources, Service } from './manifest.ts';

/** The data of one registry-credentials Secret (keys as api/wire.ts REGISTRY_CREDENTIALS_KEYS). */
export interface RegistryCredentialsSecret {
  ref: SecretReference;
  /** Values as the Go provider uses them for the pull secret: trimmed of white space. */
  data: { host: string; username: string; password: string; email: string };
}

export interface ManifestCrInput {
  owner: string;
  dseq: string;
  /** hex SHA-256 of the Go-canonical bytes */
  hash: string;
  /** Where the credentials of one service go (a Secret per service, in the operator's namespace). */
  credentialsSecret: (group: string, service: string) => SecretReference;
}

const UINT64 = /^(0|[1-9][0-9]{0,19})$/;
const UINT64_MAX = (1n << 64n) - 1n;

function uint64(v: ResourceValue, path: string, out: Problem[]): { val: string } {
  const val = v.val ?? '0';
  if (!UINT64.test(val) || BigInt(val) > UINT64_MAX) out.push(problem(path, 'cr-range', `must be an unsigned 64-bit integer for the CR, got ${val}`));
  return { val };
}

function attributes(list: Attribute[] | null, path: string, out: Problem[]): CrAttribute[] | undefined {
  if (list === null) return undefined;
  return list.map((a, i) => {
    if (a.key === '') out.push(problem(`${path}[${i}].key`, 'cr-attribute', 'an attribute without a key cannot be stored in the CR'));
    return a.value === '' ? { key: a.key } : { key: a.key, value: a.value };
  });
}

function withAttributes<T extends object>(base: T, attrs: CrAttribute[] | undefined): T & { attributes?: CrAttribute[] } {
  return attrs === undefined ? base : { ...base, attributes: attrs };
}

function resources(r: Resources, path: string, out: Problem[]): CrResources {
  // Validate() has checked that cpu, gpu, memory, storage and endpoints are present.
  const cpu = r.cpu!;
  const memory = r.memory!;
  const res: CrResources = {
    id: r.id,
    cpu: withAttributes({ units: uint64(cpu.units, `${path}.cpu.units.val`, out) }, attributes(cpu.attributes, `${path}.cpu.attributes`, out)),
    memory: withAttributes({ size: uint64(memory.size, `${path}.memory.size.val`, out) }, attributes(memory.attributes, `${path}.memory.attributes`, out)),
    storage: (r.storage ?? []).map((s, i) =>
      withAttributes({ name: s.name, size: uint64(s.size, `${path}.storage[${i}].size.val`, out) }, attributes(s.attributes, `${path}.storage[${i}].attributes`, out)),
    ),
  };
  if (r.gpu !== null) res.gpu = withAttributes({ units: uint64(r.gpu.units, `${path}.gpu.units.val`, out) }, attributes(r.gpu.attributes, `${path}.gpu.attributes`, out));
  if (r.endpoints !== null) {
    res.endpoints = r.endpoints.map((e, i) => {
      if (e.kind < 0 || e.kind > 2) out.push(problem(`${path}.endpoints[${i}].kind`, 'cr-range', `must be 0, 1 or 2, got ${e.kind}`));
      return e.kind === 0 ? { sequence_number: e.sequence_number } : { kind: e.kind, sequence_number: e.sequence_number };
    });
  }
  return res;
}

const trim = (s: string): string => s.trim();

function service(s: Service, path: string, ref: () => SecretReference, out: Problem[], secrets: RegistryCredentialsSecret[]): ManifestService {
  const svc: ManifestService = {
    name: s.name,
    image: s.image,
    resources: resources(s.resources, `${path}.resources`, out),
    count: s.count,
    expose: (s.expose ?? []).map((e, i) => {
      if (e.externalPort > 65535) out.push(problem(`${path}.expose[${i}].externalPort`, 'cr-range', `must be 0..65535, got ${e.externalPort}`));
      const h = e.httpOptions;
      return {
        port: e.port,
        externalPort: e.externalPort,
        proto: e.proto as 'TCP' | 'UDP',
        service: e.service,
        global: e.global,
        ...(e.hosts === null ? {} : { hosts: [...e.hosts] }),
        httpOptions: {
          maxBodySize: h.maxBodySize,
          readTimeout: h.readTimeout,
          sendTimeout: h.sendTimeout,
          nextTries: h.nextTries,
          nextTimeout: h.nextTimeout,
          ...(h.nextCases === null ? {} : { nextCases: [...h.nextCases] as NonNullable<ManifestService['expose'][number]['httpOptions']['nextCases']> }),
          ...(h.proxyBufferSize === 0 ? {} : { proxyBufferSize: h.proxyBufferSize }),
        },
        ip: e.ip,
        endpointSequenceNumber: e.endpointSequenceNumber,
      };
    }),
  };
  if (s.command !== null) svc.command = [...s.command];
  if (s.args !== null) svc.args = [...s.args];
  if (s.env !== null) svc.env = [...s.env];
  if (s.params !== null) {
    if (s.params.tee !== null) out.push(problem(`${path}.params.tee`, 'unsupported', 'confidential computing (params.tee) is not supported by this provider'));
    const params: NonNullable<ManifestService['params']> = {};
    if (s.params.storage !== null) params.storage = s.params.storage.map((p) => ({ name: p.name, mount: p.mount, readOnly: p.readOnly }));
    if (s.params.permissions !== null) {
      params.permissions = s.params.permissions.read === null ? {} : { read: [...s.params.permissions.read] as NonNullable<NonNullable<typeof params.permissions>['read']> };
    }
    svc.params = params;
  }
  if (s.credentials !== null) {
    const c: ImageCredentials = s.credentials;
    const secretRef = ref();
    svc.credentialsSecretRef = secretRef;
    secrets.push({ ref: secretRef, data: { host: trim(c.host), username: trim(c.username), password: trim(c.password), email: trim(c.email) } });
  }
  return svc;
}

/**
 * The Manifest CR spec of a manifest Go accepted (Validate passed), and the credentials Secrets to
 * write with it. Throws a ValidationError naming the JSON path when something cannot be stored in the
 * CR (e.g. `params.tee`, a value beyond uint64).
 */
export function manifestCrSpec(m: Manifest, input: ManifestCrInput): { spec: ManifestSpec; credentials: RegistryCredentialsSecret[] } {
  const out: Problem[] = [];
  const credentials: RegistryCredentialsSecret[] = [];
  const groups: ManifestGroup[] = (m ?? []).map((g, gi) => ({
    name: g.name,
    services: (g.services ?? []).map((s, si) => service(s, `groups[${gi}].services[${si}]`, () => input.credentialsSecret(g.name, s.name), out, credentials)),
  }));
  if (out.length > 0) throw new ValidationError(out);
  return { spec: { owner: input.owner, dseq: input.dseq, hash: input.hash, groups }, credentials };
}
