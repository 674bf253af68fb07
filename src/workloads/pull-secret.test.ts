import { describe, expect, it } from 'vitest';
import { WorkloadSpecError } from './errors.ts';
import { buildPullSecret, dockerConfigJson } from './pull-secret.ts';
import { LEASE_ID, NS } from './test-fixtures.ts';

const creds = { host: ' ghcr.io ', username: 'bob ', password: ' s3cret', email: '' };

describe('pull secret', () => {
  it('dockerconfigjson as the Go provider writes it, values trimmed', () => {
    expect(JSON.parse(dockerConfigJson(creds))).toEqual({
      auths: { 'ghcr.io': { username: 'bob', password: 's3cret', email: '', auth: Buffer.from('bob:s3cret').toString('base64') } },
    });
  });

  it('docker-creds-<svc> in the lease namespace, as data (stringData would never read back)', () => {
    const s = buildPullSecret(LEASE_ID, 'web', creds);
    expect(s).toMatchObject({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'docker-creds-web', namespace: NS } });
    expect(s.stringData).toBeUndefined();
    expect(Buffer.from(s.data?.['.dockerconfigjson'] ?? '', 'base64').toString()).toBe(dockerConfigJson(creds));
  });

  it('refuses empty credentials naming the key, without echoing the password', () => {
    const run = () => buildPullSecret(LEASE_ID, 'web', { ...creds, username: ' ', password: '' });
    expect(run).toThrow(WorkloadSpecError);
    expect(run).toThrow('credentials.username: must not be empty; credentials.password: must not be empty');
  });
});
