/**
 * The SPIFFE Workload API agent: a native sidecar in every tenant pod with a SPIFFE identity. It
 * reads the pod's own SVID Secret (projected by the kubelet into `dir`) and serves it over gRPC on
 * a Unix socket in an emptyDir shared with the app containers. No hostPath, no node agent, no
 * attestation: the agent knows only its own pod's SVID, so reaching the socket is the proof.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../runtime/log.ts';
import { workloadApiService as protoService } from './proto.ts';
import { workloadApiService } from './service.ts';
import { watchSvidDir } from './svid-dir.ts';

export interface WorkloadApiAgentOptions {
  /** Where the kubelet projects svid.pem, svid_key.pem and bundle.pem. */
  dir: string;
  /** The Unix socket path (a plain path, or `unix:///path`). */
  socketPath: string;
  /** How often to re-read `dir` besides fs.watch events; default 5000. */
  pollMs?: number;
  log: Logger;
}

export interface WorkloadApiAgent {
  /** The socket's address for clients: `unix:///abs/path`. */
  address: string;
  /** Ends open streams with Unavailable, stops serving and removes the socket. */
  close(): Promise<void>;
}

/**
 * connect(2) on a Unix socket needs write permission on the socket file. The app containers may
 * run as another uid than the sidecar, and every container in the pod is entitled to the pod's
 * identity, so the socket is world read-write; the emptyDir (pod-private) is the boundary.
 */
const SOCKET_MODE = 0o666;
const SHUTDOWN_GRACE_MS = 2_000;

export function socketFilePath(socket: string): string {
  const p = socket.startsWith('unix://') ? socket.slice('unix://'.length) : socket;
  if (!path.isAbsolute(p)) throw new Error(`the socket path '${socket}' must be absolute (a path or unix:///path)`);
  return p;
}

/** Removes a socket left by a previous run (the sidecar restarted); refuses to delete anything else. */
function removeStaleSocket(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!st.isSocket()) throw new Error(`${file} exists and is not a socket; refusing to replace it`);
  fs.unlinkSync(file);
}

function bind(server: grpc.Server, address: string): Promise<void> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(new Error(`cannot listen on ${address}: ${err.message}`)) : resolve())),
  );
}

export async function startWorkloadApiAgent(opts: WorkloadApiAgentOptions): Promise<WorkloadApiAgent> {
  const { log } = opts;
  const file = socketFilePath(opts.socketPath);
  const address = `unix://${file}`;
  if (opts.pollMs !== undefined && !(opts.pollMs >= 100)) throw new Error(`pollMs ${opts.pollMs} is below 100 ms; polling that often only burns CPU`);
  // Read the directory before listening, so the first client already gets the SVID if there is one.
  const dir = await watchSvidDir({ dir: opts.dir, pollMs: opts.pollMs ?? 5_000, log });
  const service = workloadApiService(dir, log);
  dir.onChange((id) => service.publish(id));
  const server = new grpc.Server();
  server.addService(protoService, service.handlers);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    removeStaleSocket(file);
    await bind(server, address);
    fs.chmodSync(file, SOCKET_MODE);
  } catch (e) {
    dir.close();
    server.forceShutdown();
    throw e;
  }
  log.info({ socket: address, dir: opts.dir, spiffeId: dir.current()?.spiffeId }, 'Workload API agent listening');

  let closing: Promise<void> | undefined;
  return {
    address,
    close() {
      closing ??= (async () => {
        dir.close();
        service.endAll('the Workload API agent is shutting down; reconnect and retry');
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, SHUTDOWN_GRACE_MS);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
        fs.rmSync(file, { force: true });
        log.info({ socket: address }, 'Workload API agent stopped');
      })();
      return closing;
    },
  };
}
