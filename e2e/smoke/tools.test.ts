import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../harness/binaries.ts';
import { eventually, kubeConfig, runTool, useNamespace } from '../support/cluster.ts';

describe('kubectl and helm work against the cluster', () => {
  const ns = useNamespace('smoke-tools');

  it('kubectl version reports the pinned server version', async () => {
    const { stdout } = await runTool('kubectl', ['version', '-o', 'json']);
    const v = JSON.parse(stdout) as { serverVersion: { gitVersion: string; major: string; minor: string } };
    const pinned = inject('pinnedServerVersion');
    // Against E2E_KUBECONFIG the server is whatever that cluster runs; ours must be the pinned one.
    expect(v.serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    if (pinned) expect(v.serverVersion.gitVersion).toBe(pinned);
    expect(v.serverVersion.major).toBe('1');
  });

  it('helm installs a chart whose objects reach the API server and whose pod runs', async () => {
    const chart = path.join(repoRoot, 'e2e/fixtures/test-chart');
    const { stdout } = await runTool('helm', ['install', 'smoke', chart, '-n', ns.name, '--set', 'message=hello', '--wait', '--timeout', '90s']);
    expect(stdout).toContain('STATUS: deployed');
    const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
    const cm = await core.readNamespacedConfigMap({ namespace: ns.name, name: 'smoke-greeting' });
    expect(cm.data?.message).toBe('hello');
    await eventually('the chart pod to run', async () => {
      const pods = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app.kubernetes.io/instance=smoke' });
      return pods.items.some((p) => p.status?.phase === 'Running') ? true : undefined;
    });
    const { stdout: list } = await runTool('helm', ['list', '-n', ns.name, '-o', 'json']);
    expect(JSON.parse(list)).toEqual([expect.objectContaining({ name: 'smoke', status: 'deployed' })]);
    await runTool('helm', ['uninstall', 'smoke', '-n', ns.name, '--wait']);
    await expect(core.readNamespacedConfigMap({ namespace: ns.name, name: 'smoke-greeting' })).rejects.toMatchObject({ code: 404 });
  });
});
