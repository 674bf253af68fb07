import { describe, expect, it } from 'vitest';
import type { KubeObject } from './resource.ts';
import { Store } from './store.ts';

const obj = (name: string, namespace?: string, labels?: Record<string, string>): KubeObject => ({ metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) } });
const names = (list: KubeObject[]) => list.map((o) => o.metadata.name).sort();

describe('Store.list', () => {
  it('lists one namespace from its index, through sets, updates, deletes and a relist', () => {
    const s = new Store<KubeObject>();
    s.set(obj('a', 'ns1', { app: 'x' }));
    s.set(obj('b', 'ns1'));
    s.set(obj('c', 'ns2', { app: 'x' }));
    s.set(obj('node', undefined, { app: 'x' }));
    expect(names(s.list({ namespace: 'ns1' }))).toEqual(['a', 'b']);
    expect(names(s.list({ namespace: 'ns1', labels: { app: 'x' } }))).toEqual(['a']);
    expect(names(s.list({ labels: { app: 'x' } }))).toEqual(['a', 'c', 'node']);
    expect(s.list({ namespace: '' })).toEqual([]);

    s.set(obj('b', 'ns1', { app: 'x' })); // an update keeps its entry
    expect(names(s.list({ namespace: 'ns1', labels: { app: 'x' } }))).toEqual(['a', 'b']);
    s.delete('ns1/a');
    s.delete('ns1/a');
    expect(names(s.list({ namespace: 'ns1' }))).toEqual(['b']);
    s.delete('ns1/b');
    expect(s.list({ namespace: 'ns1' })).toEqual([]);

    s.replace(new Map([['ns3/d', obj('d', 'ns3')], ['ns2/c', obj('c', 'ns2')]]));
    expect(s.list({ namespace: 'ns2' }).map((o) => o.metadata.name)).toEqual(['c']);
    expect(names(s.list({ namespace: 'ns3' }))).toEqual(['d']);
    expect(s.list({ namespace: 'ns1' })).toEqual([]);
    expect(s.size).toBe(2);
  });
});
