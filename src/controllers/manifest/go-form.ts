/**
 * A Manifest CR's groups in the shape of the Go provider's in-memory manifest (`src/akash/manifest.ts`),
 * so that the Go validation rules in `src/akash/manifestValidate.ts` can run on them instead of being
 * written a second time. The CR marks a wire `null` by an absent field; here it becomes `null` again.
 * Registry credentials are Secret references in the CR and have no Go counterpart: they stay `null`.
 */
import type * as go from '../../akash/manifest.ts';
import type { Attribute, ManifestGroup, ManifestService } from '../../api/wire.ts';

function attributes(list: Attribute[] | undefined): go.Attribute[] | null {
  return list ? list.map((a) => ({ key: a.key, value: a.value ?? '' })) : null;
}

function service(s: ManifestService): go.Service {
  const r = s.resources;
  return {
    name: s.name,
    image: s.image,
    command: s.command ?? null,
    args: s.args ?? null,
    env: s.env ?? null,
    resources: {
      id: r.id,
      cpu: { units: { val: r.cpu.units.val }, attributes: attributes(r.cpu.attributes) },
      memory: { size: { val: r.memory.size.val }, attributes: attributes(r.memory.attributes) },
      storage: r.storage.map((v) => ({ name: v.name, size: { val: v.size.val }, attributes: attributes(v.attributes) })),
      gpu: r.gpu ? { units: { val: r.gpu.units.val }, attributes: attributes(r.gpu.attributes) } : null,
      endpoints: r.endpoints ? r.endpoints.map((e) => ({ kind: e.kind ?? 0, sequence_number: e.sequence_number })) : null,
    },
    count: s.count,
    expose: s.expose.map((e) => ({
      port: e.port,
      externalPort: e.externalPort,
      proto: e.proto,
      service: e.service,
      global: e.global,
      hosts: e.hosts ?? null,
      httpOptions: { ...e.httpOptions, nextCases: e.httpOptions.nextCases ?? null, proxyBufferSize: e.httpOptions.proxyBufferSize ?? 0 },
      ip: e.ip,
      endpointSequenceNumber: e.endpointSequenceNumber,
    })),
    params: s.params
      ? {
          storage: s.params.storage ? s.params.storage.map((p) => ({ ...p })) : null,
          credentials: null,
          permissions: s.params.permissions ? { read: s.params.permissions.read ? [...s.params.permissions.read] : null } : null,
          tee: null,
        }
      : null,
    credentials: null,
  };
}

export function toGoManifest(groups: readonly ManifestGroup[]): go.Manifest {
  return groups.map((g) => ({ name: g.name, services: g.services.map(service) }));
}
