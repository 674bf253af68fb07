/**
 * `akash-operator dev up|down|env`: the local test cluster by hand, started by the same harness the
 * e2e suite uses. `up` starts a detached `dev serve` process that owns the cluster; `down` asks it to
 * stop; `env` prints the shell line that points kubectl at it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../../e2e/harness/binaries.ts';
import { startCluster } from '../../e2e/harness/cluster.ts';
import { describeFailure } from '../../e2e/harness/errors.ts';
import { CliError } from './errors.ts';
import { isAlive as alive } from '../../e2e/harness/process.ts';

interface DevState {
  pid: number;
  kubeconfig: string;
  server: string;
  version: string;
  startedAt: string;
}

const devDir = () => process.env.AKASH_OPERATOR_DEV_DIR ?? path.join(cacheDir(), 'dev');
const stateFile = () => path.join(devDir(), 'state.json');
const errorFile = () => path.join(devDir(), 'error.txt');
// main.ts from a checkout, main.js from the compiled dist/: the same extension as this file.
const mainPath = path.join(path.dirname(fileURLToPath(import.meta.url)), `main${path.extname(fileURLToPath(import.meta.url))}`);

/** The running dev cluster, or undefined (a state file of a dead process is stale and ignored). */
export function runningDevCluster(): DevState | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(stateFile(), 'utf8')) as DevState;
    return alive(s.pid) ? s : undefined;
  } catch {
    return undefined;
  }
}

const exportLine = (s: DevState) => `export KUBECONFIG=${s.kubeconfig}`;

export async function devUp(out: NodeJS.WritableStream): Promise<void> {
  const running = runningDevCluster();
  if (running) {
    out.write(`dev cluster already running (Kubernetes ${running.version} at ${running.server})\n${exportLine(running)}\n`);
    return;
  }
  fs.rmSync(devDir(), { recursive: true, force: true });
  fs.mkdirSync(devDir(), { recursive: true });
  const logPath = path.join(devDir(), 'serve.log');
  const fd = fs.openSync(logPath, 'a');
  const child = spawn(process.execPath, [mainPath, 'dev', 'serve'], { detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    const s = runningDevCluster();
    if (s) {
      out.write(`dev cluster ready (Kubernetes ${s.version} at ${s.server}); logs in ${path.join(devDir(), 'cluster/logs')}\n${exportLine(s)}\n`);
      return;
    }
    if (fs.existsSync(errorFile())) throw new CliError(fs.readFileSync(errorFile(), 'utf8').trim());
    if (exited) throw new CliError(`the dev cluster process exited before it was ready; see ${logPath}.`);
    await sleep(250);
  }
  throw new CliError(`the dev cluster was not ready after 10 minutes; see ${logPath}, then run 'akash-operator dev down'.`);
}

/** The long-running owner of the dev cluster (started by `dev up`). */
export async function devServe(): Promise<void> {
  const workdir = path.join(devDir(), 'cluster');
  fs.mkdirSync(workdir, { recursive: true });
  const apiPort = process.env.AKASH_OPERATOR_DEV_API_PORT ? Number(process.env.AKASH_OPERATOR_DEV_API_PORT) : undefined;
  let cluster;
  try {
    cluster = await startCluster({ workdir, apiPort, log: (m) => console.log(`[cluster] ${m}`) });
  } catch (err) {
    fs.writeFileSync(errorFile(), describeFailure(err) + '\n');
    process.exitCode = 1;
    return;
  }
  const kubeconfig = path.join(devDir(), 'kubeconfig');
  fs.copyFileSync(cluster.kubeconfigPath, kubeconfig);
  const state: DevState = { pid: process.pid, kubeconfig, server: cluster.server, version: cluster.version, startedAt: new Date().toISOString() };
  fs.writeFileSync(stateFile() + '.part', JSON.stringify(state, null, 2));
  fs.renameSync(stateFile() + '.part', stateFile());
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(sig, () => resolve());
  });
  await cluster.stop();
  fs.rmSync(stateFile(), { force: true });
  // Keep-alive sockets of the API client would hold the event loop for several seconds more.
  process.exit(0);
}

export async function devDown(out: NodeJS.WritableStream): Promise<void> {
  const s = runningDevCluster();
  if (!s) {
    out.write('no dev cluster is running\n');
    return;
  }
  process.kill(s.pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (alive(s.pid)) {
    if (Date.now() > deadline) throw new CliError(`the dev cluster (pid ${s.pid}) did not stop within 60 s; kill it with 'kill -9 ${s.pid}'.`);
    await sleep(200);
  }
  out.write('dev cluster stopped\n');
}

export function devEnv(out: NodeJS.WritableStream): void {
  const s = runningDevCluster();
  if (!s) throw new CliError("no dev cluster is running; start one with 'akash-operator dev up'.");
  out.write(`${exportLine(s)}\n`);
}
