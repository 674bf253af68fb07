import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { repoRoot } from '../harness/binaries.ts';
import { httpGet } from '../harness/http.ts';
import { freePort } from '../harness/ports.ts';
import { pollUntil } from '../harness/wait.ts';

let compiled: string | undefined;
/**
 * The operator compiled as the image runs it (scripts/build-dist.sh into a temp dir, once per
 * process, removed at exit): tests of the chart and the bench run this entry point.
 */
export function compiledOperatorEntry(): string {
  if (!compiled) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'akash-operator-dist-'));
    process.once('exit', () => fs.rmSync(out, { recursive: true, force: true }));
    execFileSync(path.join(repoRoot, 'scripts/build-dist.sh'), [out], { stdio: ['ignore', 'ignore', 'inherit'] });
    compiled = path.join(out, 'main.js');
  }
  return compiled;
}

export interface OperatorProcess {
  proc: ChildProcess;
  url: string;
  logPath: string;
  /** Milliseconds from spawn to /readyz (or /healthz, see `until`) answering 200. */
  readyAfterMs: number;
  metrics(): Promise<string>;
  /** SIGTERM, then SIGKILL after 20 s; resolves when the process is gone. */
  stop(): Promise<void>;
  /** Sends a signal and returns at once (e.g. SIGKILL for a crash). */
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (null when a signal ended it) once the process is gone. */
  exited: Promise<number | null>;
  /** The log so far. */
  log(): string;
  /** `leader_election_master_status` of this replica: true when it leads (false when standby or unreachable). */
  isLeader(): Promise<boolean>;
}

/** Runs `akash-operator run` as its own process against the test cluster, as a provider would. */
export async function startOperatorProcess(opts: {
  kubeconfig: string;
  namespace: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** The CLI entry point: the sources by default; the bench and chart tests pass the built dist/main.js. */
  entry?: string;
  /** Flags for `node` itself, before the entry point (the chart's `nodeFlags`). */
  nodeFlags?: string[];
  /** What to wait for before returning: /readyz 200 (default), or only /healthz 200 (a replica that is meant to stay unready). */
  until?: 'ready' | 'live';
}): Promise<OperatorProcess> {
  const port = await freePort();
  const logPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'operator-')), 'operator.log');
  const fd = fs.openSync(logPath, 'a');
  const started = Date.now();
  const proc = spawn(
    process.execPath,
    [...(opts.nodeFlags ?? []), opts.entry ?? path.join(repoRoot, 'src/cli/main.ts'), 'run', '--kubeconfig', opts.kubeconfig, '--namespace', opts.namespace, '--metrics-addr', `127.0.0.1:${port}`, '--resync-seconds', '600', ...(opts.args ?? [])],
    { stdio: ['ignore', fd, fd], env: { ...process.env, ...opts.env } },
  );
  fs.closeSync(fd);
  let exited = false;
  const exitCode = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.once('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const probePath = opts.until === 'live' ? '/healthz' : '/readyz';
  const ready = await pollUntil(async () => ((await httpGet(`${url}${probePath}`)).status === 200 ? true : undefined), 60_000, {
    intervalMs: 50,
    abort: () => (exited ? new Error(`the operator exited while starting; log: ${logPath}\n${fs.readFileSync(logPath, 'utf8').slice(-2000)}`) : undefined),
  });
  if (!ready) throw new Error(`the operator's ${probePath} did not answer 200 within 60 s; log: ${logPath}`);
  const readyAfterMs = Date.now() - started;
  return {
    proc,
    url,
    logPath,
    readyAfterMs,
    metrics: async () => (await httpGet(`${url}/metrics`)).body,
    kill: (signal) => void proc.kill(signal),
    exited: exitCode,
    log: () => fs.readFileSync(logPath, 'utf8'),
    isLeader: async () => {
      if (exited) return false;
      const text = await httpGet(`${url}/metrics`).then((r) => r.body, () => '');
      return metricSum(text, 'leader_election_master_status') === 1;
    },
    stop: async () => {
      if (exited) return;
      const done = once(proc, 'exit');
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      await done;
      clearTimeout(t);
    },
  };
}

/** Sum of a metric's samples whose labels contain every given label (Prometheus text format). */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const ls = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => ls.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}
