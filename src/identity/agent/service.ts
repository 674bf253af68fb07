/**
 * The SpiffeWorkloadAPI handlers over one pod's identity. The agent serves only its own pod's SVID,
 * so there is no caller attestation: anyone who can reach the socket (the pod's containers, via
 * the shared emptyDir) is entitled to it. X.509 only: the JWT and WIT profiles answer
 * Unimplemented, which the spec allows and go-spiffe handles.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../runtime/log.ts';
import { WORKLOAD_HEADER, type X509BundlesResponse, type X509SVIDResponse } from './proto.ts';
import type { X509Identity } from './svid.ts';

export interface IdentitySource {
  current(): X509Identity | undefined;
  /** Why there is no identity, for the PermissionDenied details. */
  problem(): string | undefined;
}

export interface WorkloadApiService {
  handlers: grpc.UntypedServiceImplementation;
  /** Sends the new state to every open stream (X.509 bundles only when the bundle changed). */
  publish(id: X509Identity): void;
  /** Ends every open stream with Unavailable, so clients reconnect (to the restarted agent). */
  endAll(why: string): void;
  /** Open streams, for tests and logs. */
  streams(): number;
}

type Stream<T> = grpc.ServerWritableStream<unknown, T>;
type Status = Partial<grpc.StatusObject>;

/** Null when the call carries `workload.spiffe.io: true`; otherwise the InvalidArgument status. */
function headerProblem(call: { metadata: grpc.Metadata }): Status | null {
  const values = call.metadata.get(WORKLOAD_HEADER);
  if (values.length === 1 && values[0] === 'true') return null;
  return {
    code: grpc.status.INVALID_ARGUMENT,
    details: `security header missing from request: the Workload API needs gRPC metadata '${WORKLOAD_HEADER}: true' on every call`,
  };
}

export function x509SvidResponse(id: X509Identity): X509SVIDResponse {
  return {
    svids: [{ spiffe_id: id.spiffeId, x509_svid: id.svidDer, x509_svid_key: id.keyDer, bundle: id.bundleDer, hint: '' }],
    crl: [],
    federated_bundles: {},
  };
}

export function x509BundlesResponse(id: X509Identity): X509BundlesResponse {
  // Keyed by the trust domain's SPIFFE ID, as SPIRE does; go-spiffe also accepts a bare name.
  return { crl: [], bundles: { [`spiffe://${id.trustDomain}`]: id.bundleDer } };
}

export function workloadApiService(source: IdentitySource, log: Logger): WorkloadApiService {
  const svidStreams = new Set<Stream<X509SVIDResponse>>();
  const bundleStreams = new Set<Stream<X509BundlesResponse>>();
  let lastBundleHash = source.current()?.bundleHash;

  function noIdentity(): Status {
    return { code: grpc.status.PERMISSION_DENIED, details: `no identity yet: ${source.problem() ?? 'no SVID has been projected into the pod'}` };
  }

  /** Registers a stream and sends the first message at once, or refuses the call. */
  function open<T>(call: Stream<T>, set: Set<Stream<T>>, first: (id: X509Identity) => T, what: string): void {
    const bad = headerProblem(call);
    if (bad) {
      call.emit('error', bad);
      return;
    }
    const id = source.current();
    if (!id) {
      log.info({ rpc: what }, 'refused a Workload API call: no identity yet');
      call.emit('error', noIdentity());
      return;
    }
    set.add(call);
    const drop = () => set.delete(call);
    call.on('cancelled', drop);
    call.on('close', drop);
    call.on('error', drop);
    call.write(first(id));
    log.debug({ rpc: what, streams: svidStreams.size + bundleStreams.size }, 'Workload API stream opened');
  }

  function unimplemented(profile: string): Status {
    return { code: grpc.status.UNIMPLEMENTED, details: `this Workload API agent serves X.509-SVIDs only; the ${profile} profile is not implemented` };
  }
  const unary = (profile: string) => (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) =>
    cb(headerProblem(call) ?? unimplemented(profile));
  const stream = (profile: string) => (call: Stream<unknown>) => call.emit('error', headerProblem(call) ?? unimplemented(profile));

  return {
    handlers: {
      FetchX509SVID: (call: Stream<X509SVIDResponse>) => open(call, svidStreams, x509SvidResponse, 'FetchX509SVID'),
      FetchX509Bundles: (call: Stream<X509BundlesResponse>) => open(call, bundleStreams, x509BundlesResponse, 'FetchX509Bundles'),
      FetchJWTSVID: unary('JWT-SVID'),
      FetchJWTBundles: stream('JWT-SVID'),
      ValidateJWTSVID: unary('JWT-SVID'),
      FetchWITSVID: stream('WIT-SVID'),
      FetchWITBundles: stream('WIT-SVID'),
    },
    publish(id) {
      for (const call of svidStreams) call.write(x509SvidResponse(id));
      if (id.bundleHash !== lastBundleHash) {
        for (const call of bundleStreams) call.write(x509BundlesResponse(id));
      }
      lastBundleHash = id.bundleHash;
    },
    endAll(why) {
      for (const call of [...svidStreams, ...bundleStreams]) call.emit('error', { code: grpc.status.UNAVAILABLE, details: why });
      svidStreams.clear();
      bundleStreams.clear();
    },
    streams: () => svidStreams.size + bundleStreams.size,
  };
}
