/** Specs and inputs shared by the builder tests (not shipped code: only *.test.ts import this). */
import { EXAMPLE_LEASE_ID, exampleService } from '../api/examples.ts';
import type { Service, ServiceSpec } from '../api/service.ts';
import type { HttpOptions, ServiceExpose } from '../api/wire.ts';
import type { ServiceInput } from './plan.ts';
import { resolveProviderPolicy, type ProviderPolicyInput } from './policy.ts';

export const LEASE_ID = EXAMPLE_LEASE_ID;
export const NS = 'i8srn0jevt07jq3ittrgrg1q3ja3srij6t7efeftq3fi4';

export const DEFAULT_HTTP: HttpOptions = { maxBodySize: 1048576, readTimeout: 60000, sendTimeout: 60000, nextTries: 3, nextTimeout: 0, nextCases: ['error', 'timeout'] };

export function expose(over: Partial<ServiceExpose> = {}): ServiceExpose {
  return { port: 8080, externalPort: 80, proto: 'TCP', service: '', global: true, httpOptions: DEFAULT_HTTP, ip: '', endpointSequenceNumber: 0, ...over };
}

/** The example web Service with `spec` changes applied. */
export function service(over: Partial<ServiceSpec> = {}, name = 'web'): Service {
  const s = exampleService();
  s.metadata.name = name;
  s.spec = { ...s.spec, ...over };
  return s;
}

export function input(over: Partial<ServiceSpec> = {}, policy: ProviderPolicyInput = {}, name = 'web'): ServiceInput {
  return { service: service(over, name), leaseId: LEASE_ID, policy: resolveProviderPolicy(policy) };
}

/** Resources with a persistent `data` volume (class beta3) and a 64 MiB ram volume `shm`. */
export function statefulResources(): ServiceSpec['resources'] {
  return {
    id: 1,
    cpu: { units: { val: '1500' } },
    memory: { size: { val: '1073741824' } },
    storage: [
      { name: 'default', size: { val: '1073741824' } },
      { name: 'data', size: { val: '10737418240' }, attributes: [{ key: 'class', value: 'beta3' }, { key: 'persistent', value: 'true' }] },
      { name: 'shm', size: { val: '67108864' }, attributes: [{ key: 'class', value: 'ram' }, { key: 'persistent', value: 'false' }] },
    ],
  };
}
