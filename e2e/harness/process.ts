import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError } from './errors.ts';

export interface StartOptions {
  logPath: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** How a process was started: what `restartProcess` starts again. */
export interface ProcessCommand {
  bin: string;
  args: string[];
  opts: StartOptions;
}

/** A child process of the harness whose output goes to a log file. */
export class ManagedProcess {
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly name: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** The command line it was started with (undefined when constructed around a foreign child). */
  readonly command: ProcessCommand | undefined;
  private stopping = false;

  constructor(name: string, child: ChildProcess, logPath: string, command?: ProcessCommand) {
    this.name = name;
    this.child = child;
    this.logPath = logPath;
    this.command = command;
    child.on('exit', (code, signal) => {
      this.exit = { code, signal };
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Why the process is gone, when it died without being asked to. */
  failure(): HarnessError | undefined {
    if (!this.exit || this.stopping) return undefined;
    const tail = logTail(this.logPath, 4000);
    const bind = /^.*address already in use.*$/im.exec(tail);
    if (bind) {
      const port = /127\.0\.0\.1:(\d+)/.exec(bind[0])?.[1];
      return new HarnessError(
        `${this.name} could not listen${port ? ` on 127.0.0.1:${port}` : ''} because the port is in use: stop what holds it (ss -ltnp) and run again; log: ${this.logPath}.`,
      );
    }
    const how = this.exit.signal ? `signal ${this.exit.signal}` : `code ${this.exit.code}`;
    const last = tail.trim().split('\n').slice(-3).join(' | ');
    return new HarnessError(`${this.name} exited with ${how} while starting (last log lines: ${last}); full log: ${this.logPath}.`);
  }

  /** SIGTERM, then SIGKILL after graceMs. Safe to call twice. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.exit || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) {
      this.child.kill('SIGKILL');
      await exited;
    }
  }

  /** SIGKILL at once (a crash: no chance to flush or close anything); resolves when it is gone. */
  async kill(): Promise<void> {
    this.stopping = true;
    if (this.exit || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Starts a stopped process again with the same binary, arguments, environment and log file (the
 * log is appended to). The old process must have exited: two instances would fight over ports
 * and data directories.
 */
export async function restartProcess(p: ManagedProcess): Promise<ManagedProcess> {
  if (!p.command) throw new HarnessError(`${p.name} cannot be restarted: the harness does not know how it was started.`);
  if (!p.exit && p.child.exitCode === null && p.child.signalCode === null) throw new HarnessError(`${p.name} (pid ${p.pid}) is still running: stop it before starting it again.`);
  return startProcess(p.name, p.command.bin, p.command.args, p.command.opts);
}

export async function startProcess(name: string, bin: string, args: string[], opts: StartOptions): Promise<ManagedProcess> {
  const fd = fs.openSync(opts.logPath, 'a');
  try {
    const child = spawn(bin, args, {
      stdio: ['ignore', fd, fd],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    const spawned = await Promise.race([
      once(child, 'spawn').then(() => undefined),
      once(child, 'error').then(([e]) => e as Error),
    ]);
    if (spawned) throw new HarnessError(`${name} could not be started from ${bin}: ${spawned.message}; run 'make test-bins' to build it.`);
    return new ManagedProcess(name, child, opts.logPath, { bin, args: [...args], opts });
  } finally {
    fs.closeSync(fd);
  }
}

export function logTail(path: string, bytes: number): string {
  try {
    const st = fs.statSync(path);
    const fd = fs.openSync(path, 'r');
    try {
      const len = Math.min(bytes, st.size);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, st.size - len);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
