/**
 * Watches the process that started a test cluster. When that process disappears without tearing
 * the cluster down (kill -9, a crashed test runner), this kills the cluster's processes and removes
 * its working directory, so no etcd, kube-* or kwok process outlives its owner.
 *
 * Usage: node reaper.ts <owner-pid> <pids-file> <workdir>
 * The owner keeps <pids-file> up to date (one pid per line); removing the file dismisses the reaper.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive as alive } from './process.ts';

const [ownerArg, pidsFile, workdir] = process.argv.slice(2);
const owner = Number(ownerArg);

function readPids(): number[] {
  try {
    return fs.readFileSync(pidsFile!, 'utf8').split('\n').map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

for (;;) {
  if (!fs.existsSync(pidsFile!)) process.exit(0);
  if (!alive(owner)) break;
  await sleep(500);
}

const pids = readPids();
for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGTERM');
const deadline = Date.now() + 10_000;
while (Date.now() < deadline && pids.some(alive)) await sleep(200);
for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
if (workdir && !process.env.E2E_KEEP) fs.rmSync(workdir, { recursive: true, force: true });
