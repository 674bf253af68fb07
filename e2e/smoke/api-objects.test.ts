import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventually, kubeConfig, useNamespace } from '../support/cluster.ts';

const group = 'smoke.e2e.akash-operator.dev';

const widgetCrd: k8s.V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'integer', minimum: 1 },
                  color: { type: 'string', _enum: ['red', 'blue'] },
                },
              },
            },
          },
        },
      },
    ],
  },
};

function errorBody(e: unknown): string {
  return e instanceof k8s.ApiException ? String(e.body) : String(e);
}

describe('the API server is real', () => {
  const ns = useNamespace('smoke-api');

  it('serves a CRD, stores a valid CR and rejects an invalid one naming the field', async () => {
    const kc = kubeConfig();
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await ext.createCustomResourceDefinition({ body: widgetCrd }).catch((e) => {
      if (!(e instanceof k8s.ApiException && e.code === 409)) throw e;
    });
    await eventually('the Widget CRD to be Established', async () => {
      const crd = await ext.readCustomResourceDefinition({ name: `widgets.${group}` });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });

    const target = { group, version: 'v1', namespace: ns.name, plural: 'widgets' };
    // The CRD's REST mapping can lag Established by a moment; retry only the create.
    const created = await eventually('the Widget endpoint to accept a valid object', () =>
      custom.createNamespacedCustomObject({ ...target, body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'ok' }, spec: { size: 3, color: 'red' } } }),
    );
    expect(created.spec).toEqual({ size: 3, color: 'red' });

    const rejected = await custom
      .createNamespacedCustomObject({ ...target, body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'bad' }, spec: { size: 0, color: 'green' } } })
      .then(() => undefined, (e: unknown) => e);
    expect(rejected).toBeInstanceOf(k8s.ApiException);
    expect((rejected as k8s.ApiException<unknown>).code).toBe(422);
    expect(errorBody(rejected)).toContain('spec.size');
    expect(errorBody(rejected)).toContain('spec.color');
    await expect(custom.getNamespacedCustomObject({ ...target, name: 'bad' })).rejects.toMatchObject({ code: 404 });
  });

  it('garbage-collects the children of a deleted owner', async () => {
    const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
    const owner = await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'owner' }, data: { role: 'owner' } } });
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: {
        metadata: { name: 'child', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! }] },
        data: { role: 'child' },
      },
    });
    await core.deleteNamespacedConfigMap({ namespace: ns.name, name: 'owner' });
    await eventually('the garbage collector to delete the child', async () => {
      try {
        await core.readNamespacedConfigMap({ namespace: ns.name, name: 'child' });
        return undefined;
      } catch (e) {
        return e instanceof k8s.ApiException && e.code === 404 ? true : undefined;
      }
    });
  });

  it('finalizes a deleted namespace with objects in it', async () => {
    const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
    const name = `${ns.name}-gone`;
    await core.createNamespace({ body: { metadata: { name } } });
    await core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: 'payload' }, data: { a: 'b' } } });
    await core.deleteNamespace({ name });
    await eventually('the namespace controller to finalize the namespace', async () => {
      try {
        const n = await core.readNamespace({ name });
        expect(n.status?.phase).toBe('Terminating');
        return undefined;
      } catch (e) {
        return e instanceof k8s.ApiException && e.code === 404 ? true : undefined;
      }
    });
  });
});
