import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import { Controller } from './controller.ts';
import { FakeTransport, json } from './fake-transport.ts';
import { Informer } from './informer.ts';
import { Metrics } from './metrics.ts';
import { startOpsServer, type OpsServer } from './server.ts';

let ops: OpsServer | undefined;
afterEach(async () => {
  await ops?.close();
  ops = undefined;
});

describe('ops server', () => {
  it('serves controller-runtime and workqueue metric names, plus our write counter, on /metrics', async () => {
    const metrics = new Metrics();
    const transport = new FakeTransport().on(() => json(200, { items: [] }));
    const client = new KubeClient(transport, { fieldManager: 'f', metrics });
    const informer = new Informer({ client, resource: { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true } });
    new Controller({ name: 'pods', for: informer, reconcile: async () => {}, metrics });
    await client.apply({ apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true }, { metadata: { name: 'a', namespace: 'b' } });
    ops = await startOpsServer({ metrics });
    expect(ops.host).toBe('127.0.0.1');
    const res = await fetch(`${ops.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of [
      'controller_runtime_reconcile_total',
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_reconcile_time_seconds',
      'controller_runtime_terminal_reconcile_errors_total',
      'controller_runtime_max_concurrent_reconciles',
      'controller_runtime_active_workers',
      'workqueue_depth',
      'workqueue_adds_total',
      'workqueue_queue_duration_seconds',
      'workqueue_work_duration_seconds',
      'workqueue_retries_total',
      'workqueue_unfinished_work_seconds',
      'workqueue_longest_running_processor_seconds',
      'rest_client_requests_total',
      'akash_operator_api_writes_total',
      'akash_operator_watch_restarts_total',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(text).toContain('controller_runtime_reconcile_total{controller="pods",result="success"} 0');
    expect(text).toContain('workqueue_longest_running_processor_seconds{name="pods",controller="pods"} 0');
    expect(text).toContain('akash_operator_api_writes_total{verb="apply",resource="configmaps"} 1');
  });

  it('answers /readyz 503 until its checks pass, /healthz 200, unknown paths 404', async () => {
    let synced = false;
    ops = await startOpsServer({ metrics: new Metrics(), readiness: { informers: () => synced }, liveness: { loop: () => true } });
    const notReady = await fetch(`${ops.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toBe('[-]informers failed\nnot ok\n');
    synced = true;
    const ready = await fetch(`${ops.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('[+]informers ok\nok\n');
    expect((await fetch(`${ops.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${ops.url}/nope`)).status).toBe(404);
  });

  it('says which address it could not bind', async () => {
    ops = await startOpsServer({ metrics: new Metrics() });
    await expect(startOpsServer({ metrics: new Metrics(), port: ops.port })).rejects.toThrow(`ops server: cannot listen on 127.0.0.1:${ops.port}`);
  });
});
