import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { svidSpiffeId, uriSans } from './spiffe-id.ts';
import { issueTestSvid, newTestCa } from './test-pki.ts';

describe('uriSans and svidSpiffeId', async () => {
  const ca = await newTestCa('td.test');
  const leaf = async (uris: string[]) => new X509Certificate((await issueTestSvid(ca, 'spiffe://td.test/w', { uris })).certPem);

  it('reads the one URI SAN of an SVID', async () => {
    expect(svidSpiffeId(await leaf(['spiffe://td.test/w'])).id).toBe('spiffe://td.test/w');
  });

  it('refuses zero or two URI SANs (X509-SVID §2) and a root ID', async () => {
    const [none, two, root] = await Promise.all([leaf([]), leaf(['spiffe://td.test/a', 'spiffe://td.test/b']), leaf(['spiffe://td.test'])]);
    expect(() => svidSpiffeId(none)).toThrow('has 0 URI SANs');
    expect(() => svidSpiffeId(two)).toThrow('has 2 URI SANs');
    expect(() => svidSpiffeId(root)).toThrow('has no path');
  });

  it('reads a value node:crypto quoted, so a comma cannot fake a second entry', async () => {
    // Node JSON-quotes SAN values holding ', ': this must stay one (invalid) URI, not two.
    const cert = await leaf(['spiffe://td.test/a, URI:spiffe://td.test/b']);
    expect(cert.subjectAltName).toContain('"');
    expect(uriSans(cert)).toEqual(['spiffe://td.test/a, URI:spiffe://td.test/b']);
    expect(() => svidSpiffeId(cert)).toThrow('the leaf certificate URI SAN: path se');
  });
});
