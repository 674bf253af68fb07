/**
 * `akash-operator spiffe-agent --dir D --socket S [--poll-interval 5s] [--log-level L]`: the Workload
 * API sidecar, until SIGTERM/SIGINT (or `signal`). Resolves after a clean stop.
 */
import { CliError } from '../../cli/errors.ts';
import { createLogger } from '../../runtime/log.ts';
import { startWorkloadApiAgent } from './agent.ts';
import { spiffeAgentUsage } from './usage.ts';

export { spiffeAgentUsage };

export interface SpiffeAgentFlags {
  dir: string;
  socket: string;
  pollMs: number;
  logLevel: string;
}

/** `500ms`, `5s`, `1m`, or a bare number of milliseconds. */
export function parseDurationMs(text: string, flag: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(text);
  if (!m) throw new CliError(`spiffe-agent: ${flag} '${text}' is not a duration (e.g. 500ms, 5s, 1m)`, 2);
  const ms = Number(m[1]) * (m[2] === 's' ? 1_000 : m[2] === 'm' ? 60_000 : 1);
  if (ms < 100) throw new CliError(`spiffe-agent: ${flag} '${text}' is below 100ms; polling that often only burns CPU`, 2);
  return ms;
}

export function parseSpiffeAgentFlags(argv: string[]): SpiffeAgentFlags {
  const v: Record<string, string> = {};
  const known = ['dir', 'socket', 'poll-interval', 'log-level'];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) throw new CliError(`spiffe-agent: unexpected argument '${argv[i]}'\n${spiffeAgentUsage}`, 2);
    const name = m[1]!;
    if (!known.includes(name)) throw new CliError(`spiffe-agent: unknown flag --${name} (known: ${known.map((k) => `--${k}`).join(', ')})`, 2);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new CliError(`spiffe-agent: flag --${name} needs a value`, 2);
    v[name] = value;
  }
  for (const required of ['dir', 'socket']) {
    if (!v[required]) throw new CliError(`spiffe-agent: --${required} is required\n${spiffeAgentUsage}`, 2);
  }
  return {
    dir: v['dir']!,
    socket: v['socket']!,
    pollMs: v['poll-interval'] ? parseDurationMs(v['poll-interval'], '--poll-interval') : 5_000,
    logLevel: v['log-level'] ?? 'info',
  };
}

export async function spiffeAgentCommand(argv: string[], signal?: AbortSignal): Promise<void> {
  const flags = parseSpiffeAgentFlags(argv);
  const log = createLogger({ level: flags.logLevel, base: { component: 'spiffe-agent' } });
  let agent;
  try {
    agent = await startWorkloadApiAgent({ dir: flags.dir, socketPath: flags.socket, pollMs: flags.pollMs, log });
  } catch (e) {
    throw new CliError(`spiffe-agent: ${(e as Error).message}`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      for (const sig of ['SIGTERM', 'SIGINT'] as const) process.off(sig, stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
  await agent.close();
}
