import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventually, kubeConfig, useNamespace } from '../support/cluster.ts';

describe('workloads run on kwok nodes', () => {
  const ns = useNamespace('smoke-pods');

  it('turns a Deployment into Running pods scheduled onto fake nodes', async () => {
    const kc = kubeConfig();
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
        },
      },
    });
    const pods = await eventually('3 Running pods', async () => {
      const list = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=web' });
      const running = list.items.filter((p) => p.status?.phase === 'Running');
      return running.length === 3 ? running : undefined;
    });
    for (const p of pods) {
      expect(p.spec?.nodeName).toMatch(/^kwok-node-\d+$/);
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    }
    const ready = await eventually('the Deployment to report 3 ready replicas', async () => {
      const d = await apps.readNamespacedDeployment({ namespace: ns.name, name: 'web' });
      return d.status?.readyReplicas === 3 ? d : undefined;
    });
    expect(ready.status?.availableReplicas).toBe(3);
  });
});
