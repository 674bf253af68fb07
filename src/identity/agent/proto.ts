/**
 * The Workload API's gRPC definitions, loaded at run time from workload.proto (no generated code
 * to keep in step). keepCase keeps the wire field names (`spiffe_id`, `x509_svid`); bytes fields
 * arrive as Buffers.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The header every Workload API request must carry (an SSRF guard, SPIFFE_Workload_API.md §4). */
export const WORKLOAD_HEADER = 'workload.spiffe.io';

const definition = protoLoader.loadSync(fileURLToPath(new URL('./workload.proto', import.meta.url)), {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

/** `service SpiffeWorkloadAPI` (no proto package: paths are `/SpiffeWorkloadAPI/<Method>`). */
export const workloadApiService = definition['SpiffeWorkloadAPI'] as grpc.ServiceDefinition;

/** A client constructor, for tests and for Node callers of a Workload API. */
export const WorkloadApiClient = grpc.makeGenericClientConstructor(workloadApiService, 'SpiffeWorkloadAPI');

export interface X509SVIDMessage {
  spiffe_id: string;
  x509_svid: Buffer;
  x509_svid_key: Buffer;
  bundle: Buffer;
  hint: string;
}

export interface X509SVIDResponse {
  svids: X509SVIDMessage[];
  crl: Buffer[];
  federated_bundles: Record<string, Buffer>;
}

export interface X509BundlesResponse {
  crl: Buffer[];
  bundles: Record<string, Buffer>;
}
