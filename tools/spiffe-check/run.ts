/**
 * The TypeScript side of spiffe-check (go-spiffe, the reference Workload API client): finds the
 * binary and runs it for the interop tests (e2e/identity), kept beside the Go code whose flags and
 * JSON lines it depends on. The binary is built by scripts/test-bins.sh; a missing one fails the
 * test with the command to run, since skipping would let an interop break go unnoticed.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function spiffeCheckPath(): string {
  // Ask the script, so the test looks exactly where `build` put it.
  const dir = execFileSync('bash', [path.join(repoRoot, 'scripts/test-bins.sh'), 'dir'], { encoding: 'utf8' }).trim();
  const bin = path.join(dir, 'spiffe-check');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`spiffe-check is missing at ${bin}: run 'bash scripts/test-bins.sh build' (needs Go 1.26) and run the tests again.`);
  }
  return bin;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The stdout JSON lines. */
  lines: Record<string, unknown>[];
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`spiffe-check printed a line that is not JSON: ${l}`);
      }
    });
}

/** Runs a command to completion; never rejects on a non-zero exit (tests assert on `code`). */
export function runSpiffeCheck(bin: string, args: string[], timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr, lines: jsonLines(stdout) });
    });
  });
}

/** A long-running command (watch, mtls-server) whose JSON lines the test awaits one by one. */
export interface Running {
  proc: ChildProcess;
  /** The next stdout JSON line; rejects after `ms` or when the process exits first. */
  nextLine(ms?: number): Promise<Record<string, unknown>>;
  exited: Promise<RunResult>;
  kill(): void;
}

export function startSpiffeCheck(bin: string, args: string[]): Running {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let buffered = '';
  const queue: Record<string, unknown>[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  proc.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString();
    buffered += c.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim() !== '') queue.push(...jsonLines(line));
    }
    wake?.();
  });
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<RunResult>((resolve) =>
    proc.on('close', (code) => {
      done = true;
      wake?.();
      resolve({ code: code ?? -1, stdout, stderr, lines: jsonLines(stdout) });
    }),
  );
  return {
    proc,
    exited,
    async nextLine(ms = 15_000) {
      const deadline = Date.now() + ms;
      while (queue.length === 0 && !done && Date.now() < deadline) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, deadline - Date.now());
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
      }
      const line = queue.shift();
      if (line) return line;
      throw new Error(`spiffe-check ${args[0]} printed no line within ${ms} ms${done ? ' (it exited)' : ''}; stderr: ${stderr}`);
    },
    kill: () => void proc.kill('SIGTERM'),
  };
}
