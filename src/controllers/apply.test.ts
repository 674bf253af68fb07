import { describe, expect, it, vi } from 'vitest';
import type { KubeClient, KubeObject } from '../runtime/index.ts';
import { applyChanged, ChildWriteError, DESIRED_HASH_ANNOTATION, desiredHash, needsApply, stampDesiredHash, type DesiredChild } from './apply.ts';
import { DeploymentRef } from './refs.ts';

const desired = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns', labels: { a: '1' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } } };

describe('needsApply', () => {
  it('is false for the live object of an earlier apply, with server defaults and without apiVersion/kind (list items)', () => {
    const stamped = stampDesiredHash(desired);
    const { apiVersion: _v, kind: _k, ...fromList } = structuredClone(stamped);
    const live = { ...fromList, metadata: { ...fromList.metadata, uid: 'u', resourceVersion: '9' }, spec: { ...fromList.spec, revisionHistoryLimit: 10 }, status: { replicas: 1 } };
    expect(needsApply(live, stamped)).toBe(false);
  });

  it('is true when the live object is missing, drifted, or was applied from another desired form', () => {
    const stamped = stampDesiredHash(desired);
    expect(needsApply(undefined, stamped)).toBe(true);
    expect(needsApply({ ...stamped, spec: { ...stamped.spec, replicas: 3 } } as KubeObject, stamped)).toBe(true);
    // The live object still has a field the new desired form dropped: only the hash tells.
    const withCommand = stampDesiredHash({ ...desired, spec: { ...desired.spec, template: { spec: { containers: [{ name: 'web', image: 'nginx', command: ['/x'] }] } } } });
    expect(needsApply(withCommand, stamped)).toBe(true);
  });

  it('hashes independently of key order and of undefined fields', () => {
    expect(desiredHash({ metadata: { name: 'a', namespace: 'n' } })).toBe(desiredHash({ metadata: { namespace: 'n', name: 'a', labels: undefined } }));
    expect((stampDesiredHash(desired) as KubeObject).metadata.annotations?.[DESIRED_HASH_ANNOTATION]).toBe(desiredHash(desired));
  });
});

describe('applyChanged', () => {
  const child = (kind: string, name: string): DesiredChild => ({ ref: { ...DeploymentRef, kind }, object: { apiVersion: 'v1', kind, metadata: { name, namespace: 'ns' } } });
  /** A client whose applies finish only when the test says so; records the order they were sent in. */
  function gatedClient() {
    const sent: string[] = [];
    const gates = new Map<string, { resolve: (o: KubeObject) => void; reject: (e: Error) => void }>();
    const client = {
      apply: (_ref: unknown, obj: KubeObject) =>
        new Promise<KubeObject>((resolve, reject) => {
          sent.push(obj.metadata.name ?? '');
          gates.set(obj.metadata.name ?? '', { resolve: () => resolve(obj), reject });
        }),
    } as unknown as KubeClient;
    return { client, sent, gates };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it('sends Secrets first, then every other child at once, and returns outcomes in input order', async () => {
    const { client, sent, gates } = gatedClient();
    const children = [child('Deployment', 'web'), child('Secret', 'pull'), child('Service', 'web-svc'), child('Ingress', 'web-ing')];
    const done = applyChanged(client, children, () => undefined);
    await tick();
    expect(sent).toEqual(['pull']);
    gates.get('pull')!.resolve({} as KubeObject);
    await tick();
    expect(sent).toEqual(['pull', 'web', 'web-svc', 'web-ing']);
    for (const n of ['web-ing', 'web', 'web-svc']) gates.get(n)!.resolve({} as KubeObject);
    const outcomes = await done;
    expect(outcomes.map((o) => o.child.object.metadata.name)).toEqual(['web', 'pull', 'web-svc', 'web-ing']);
    expect(outcomes.every((o) => o.applied !== undefined)).toBe(true);
  });

  it('skips children whose live copy is current, and on a failure waits for its siblings and starts no later wave', async () => {
    const { client, sent, gates } = gatedClient();
    const current = stampDesiredHash(child('Service', 'same').object);
    const children = [child('Secret', 'pull'), child('Deployment', 'web'), child('Service', 'same')];
    const done = applyChanged(client, children, (c) => (c.object.metadata.name === 'same' ? current : undefined));
    await tick();
    gates.get('pull')!.reject(new Error('boom'));
    await expect(done).rejects.toThrow(/apply Secret ns\/pull/);
    expect(sent).toEqual(['pull']);

    const second = gatedClient();
    const settled = vi.fn();
    const run = applyChanged(second.client, [child('Deployment', 'a'), child('Service', 'b')], () => undefined).then(settled, settled);
    await tick();
    second.gates.get('a')!.reject(new Error('refused'));
    await tick();
    expect(settled).not.toHaveBeenCalled(); // b is still in flight
    second.gates.get('b')!.resolve({} as KubeObject);
    await run;
    expect(settled.mock.calls[0]?.[0]).toBeInstanceOf(ChildWriteError);
  });
});
