import { afterEach, describe, expect, it } from 'vitest';
import { FakeApi } from '../../runtime/fake-api.ts';
import { EventRecorder, KubeClient, Manager, silentLogger, type KubeObject } from '../../runtime/index.ts';
import { resolveProviderPolicy, type ProviderPolicyInput } from '../../workloads/policy.ts';
import type { OperatorContext } from '../context.ts';
import { DeploymentRef, LeaseRef, SecretRef, ServiceCrRef } from '../refs.ts';
import { registerServiceController } from './index.ts';
import { leaseCr, NS, OPERATOR_NS, serviceCr } from './test-harness.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function until(what: string, cond: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function run(api: FakeApi, policy: ProviderPolicyInput = {}): Promise<void> {
  const client = new KubeClient(api.transport, { fieldManager: 'akash-operator' });
  const mgr = new Manager({ client, shutdownDeadlineMs: 1_000 });
  const recorder = new EventRecorder({ client, reportingController: 'test', reportingInstance: 'test' });
  const ctx: OperatorContext = { client, mgr, recorder, log: silentLogger(), policy: resolveProviderPolicy(policy), operatorNamespace: OPERATOR_NS, concurrency: 2, resyncMs: 600_000 };
  registerServiceController(ctx);
  await mgr.start();
  stops.push(async () => {
    await mgr.stop();
    await recorder.close();
  });
}

const watched = (api: FakeApi) => api.transport.watches.map((w) => `${w.path}?${String(w.query.labelSelector ?? '')}`).sort();

describe('registerServiceController', () => {
  it('watches Service CRs, its child kinds by the managed label, the operator namespace Secrets, hostname claims and Leases', async () => {
    const api = new FakeApi();
    await run(api);
    await until('watches', () => api.transport.watches.length === 9);
    expect(watched(api)).toEqual(
      [
        '/apis/provider.akash.network/v1alpha1/services?',
        '/apis/apps/v1/deployments?akash.network=true',
        '/apis/apps/v1/statefulsets?akash.network=true',
        '/api/v1/services?akash.network=true',
        '/apis/networking.k8s.io/v1/ingresses?akash.network=true',
        '/api/v1/secrets?akash.network=true',
        `/api/v1/namespaces/${OPERATOR_NS}/secrets?`,
        '/apis/provider.akash.network/v1alpha1/hostnameclaims?akash.network=true',
        '/apis/provider.akash.network/v1alpha1/leases?',
      ].sort(),
    );
  });

  it('watches HTTPRoutes only in httproute mode', async () => {
    const api = new FakeApi();
    await run(api, { ingress: { mode: 'httproute' } });
    await until('watches', () => api.transport.watches.length === 10);
    expect(watched(api)).toContain('/apis/gateway.networking.k8s.io/v1/httproutes?akash.network=true');
  });

  it('reconciles on its own: a deleted child comes back, a credentials Secret that appears is used', async () => {
    const api = new FakeApi();
    api.put(LeaseRef, leaseCr());
    api.put(ServiceCrRef, serviceCr({ credentialsSecretRef: { namespace: OPERATOR_NS, name: 'regcred' } }));
    await run(api);
    await until('Degraded status', () => JSON.stringify(api.get(ServiceCrRef, 'web', NS)).includes('CredentialsUnavailable'));
    expect(api.names(DeploymentRef, NS)).toEqual([]);

    const b64 = (s: string) => Buffer.from(s).toString('base64');
    api.put(SecretRef, { metadata: { name: 'regcred', namespace: OPERATOR_NS }, data: { host: b64('r.example.com'), username: b64('u'), password: b64('p') } } as KubeObject);
    await until('pull Secret and Deployment', () => api.names(SecretRef, NS).includes('docker-creds-web') && api.names(DeploymentRef, NS).includes('web'));

    // Someone deletes the Deployment: its watch event maps to the owner, which applies it again.
    api.transport.requests.length = 0;
    const d = api.get(DeploymentRef, 'web', NS);
    await api.transport.request({ method: 'DELETE', path: `/apis/apps/v1/namespaces/${NS}/deployments/web`, body: JSON.stringify({ preconditions: { uid: d?.metadata.uid } }) });
    await until('Deployment re-created', () => api.names(DeploymentRef, NS).includes('web'));
  });
});
