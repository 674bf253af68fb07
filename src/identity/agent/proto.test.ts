/**
 * The wire names and numbers of workload.proto, pinned against the spec's file (go-spiffe v2.9.0
 * proto/spiffe/workload/workload.proto): an edit that breaks go-spiffe interop fails here first.
 */
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { workloadApiService } from './proto.ts';

const def = protoLoader.loadSync(fileURLToPath(new URL('./workload.proto', import.meta.url)), { keepCase: true });

function fields(message: string): [string, number][] {
  const t = (def[message] as { type: { field: { name: string; number: number }[] } }).type;
  return t.field.map((f) => [f.name, f.number]);
}

describe('workload.proto', () => {
  it('has the spec service with no proto package, so paths are /SpiffeWorkloadAPI/<Method>', () => {
    expect(Object.values(workloadApiService).map((m) => [m.path, m.requestStream, m.responseStream])).toEqual([
      ['/SpiffeWorkloadAPI/FetchX509SVID', false, true],
      ['/SpiffeWorkloadAPI/FetchX509Bundles', false, true],
      ['/SpiffeWorkloadAPI/FetchJWTSVID', false, false],
      ['/SpiffeWorkloadAPI/FetchJWTBundles', false, true],
      ['/SpiffeWorkloadAPI/ValidateJWTSVID', false, false],
      ['/SpiffeWorkloadAPI/FetchWITSVID', false, true],
      ['/SpiffeWorkloadAPI/FetchWITBundles', false, true],
    ]);
  });

  it('keeps the spec field names and numbers', () => {
    expect(fields('X509SVIDResponse')).toEqual([['svids', 1], ['crl', 2], ['federated_bundles', 3]]);
    expect(fields('X509SVID')).toEqual([['spiffe_id', 1], ['x509_svid', 2], ['x509_svid_key', 3], ['bundle', 4], ['hint', 5]]);
    expect(fields('X509BundlesResponse')).toEqual([['crl', 1], ['bundles', 2]]);
    expect(fields('JWTSVIDRequest')).toEqual([['audience', 1], ['spiffe_id', 2]]);
    expect(fields('JWTSVID')).toEqual([['spiffe_id', 1], ['svid', 2], ['hint', 3]]);
    expect(fields('JWTBundlesResponse')).toEqual([['bundles', 1]]);
    expect(fields('ValidateJWTSVIDRequest')).toEqual([['audience', 1], ['svid', 2]]);
    expect(fields('ValidateJWTSVIDResponse')).toEqual([['spiffe_id', 1], ['claims', 2]]);
    expect(fields('WITSVIDRequest')).toEqual([['spiffe_id', 1]]);
    expect(fields('WITSVID')).toEqual([['spiffe_id', 1], ['wit_svid', 2], ['wit_svid_key', 3], ['hint', 4]]);
    expect(fields('WITBundlesResponse')).toEqual([['bundles', 1]]);
  });
});
