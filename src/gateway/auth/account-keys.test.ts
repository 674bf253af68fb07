import { describe, expect, it } from 'vitest';
import { ConfigMapRef } from '../../controllers/refs.ts';
import { FakeApi } from '../../runtime/fake-api.ts';
import { KubeClient } from '../../runtime/index.ts';
import { tenantKey } from '../testing.ts';
import { ConfigMapAccountKeys } from './account-keys.ts';

const alice = tenantKey();

function setup(data: Record<string, string>) {
  const api = new FakeApi();
  api.put(ConfigMapRef, { metadata: { name: 'keys', namespace: 'ops' }, data });
  let t = 0;
  const keys = new ConfigMapAccountKeys({ client: new KubeClient(api.transport, { fieldManager: 't' }), namespace: 'ops', name: 'keys', ttlMs: 1000, now: () => t });
  return { api, keys, advance: (ms: number) => (t += ms) };
}

describe('ConfigMapAccountKeys', () => {
  it('reads base64 compressed keys by address', async () => {
    const { keys } = setup({ [alice.address]: alice.publicKey.toString('base64') });
    expect(await keys.publicKey(alice.address)).toEqual(alice.publicKey);
    expect(await keys.publicKey(tenantKey().address)).toBeUndefined();
  });

  it('ignores entries that are not 33-byte keys', async () => {
    const { keys } = setup({ [alice.address]: 'not base64!', other: Buffer.alloc(65, 4).toString('base64') });
    expect(await keys.publicKey(alice.address)).toBeUndefined();
    expect(await keys.publicKey('other')).toBeUndefined();
    expect(await keys.publicKey('constructor')).toBeUndefined();
  });

  it('reads the ConfigMap at most once per period, and sees changes after it', async () => {
    const { api, keys, advance } = setup({});
    const reads = () => api.transport.requests.filter((r) => r.method === 'GET').length;
    await Promise.all([keys.publicKey(alice.address), keys.publicKey(alice.address)]);
    await keys.publicKey(alice.address);
    expect(reads()).toBe(1);
    api.update(ConfigMapRef, 'keys', 'ops', (cm) => (cm.data = { [alice.address]: alice.publicKey.toString('base64') }));
    expect(await keys.publicKey(alice.address)).toBeUndefined();
    advance(1500);
    expect(await keys.publicKey(alice.address)).toEqual(alice.publicKey);
    expect(reads()).toBe(2);
  });

  it('treats a missing ConfigMap as no keys', async () => {
    const api = new FakeApi();
    const keys = new ConfigMapAccountKeys({ client: new KubeClient(api.transport, { fieldManager: 't' }), namespace: 'ops', name: 'absent' });
    expect(await keys.publicKey(alice.address)).toBeUndefined();
  });
});
