/**
 * CPU time of processes, from /proc (Linux). The operator bench divides the CPU each component of
 * the simulated cluster spent by the leases it handled: with every component on the same cores, the
 * sum bounds the lease rate the machine can sustain, whatever the operator does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond: number | undefined;
/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every common Linux build). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    ticksPerSecond = Number.isFinite(out) && out > 0 ? out : 100;
  }
  return ticksPerSecond;
}

/**
 * utime + stime of a /proc/<pid>/stat line, in clock ticks. The command name (field 2) is in
 * parentheses and may itself hold spaces or parentheses, so fields are counted after the last ')'.
 */
export function parseStatTicks(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unexpected /proc stat line: ${stat.slice(0, 120)}`);
  return utime + stime;
}

/** CPU seconds a live process has used so far (user + system, its threads included). */
export function cpuSeconds(pid: number): number {
  return parseStatTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicks();
}

/** CPU seconds per named process between two snapshots; a name missing from `before` counts from 0. */
export function cpuDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, s] of after) out.set(name, s - (before.get(name) ?? 0));
  return out;
}
