import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { binaryPath, repoRoot } from '../harness/binaries.ts';

const execFileP = promisify(execFile);
const cli = path.join(repoRoot, 'bin/akash-operator');

async function run(args: string[], env: NodeJS.ProcessEnv) {
  return execFileP(cli, args, { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('akash-operator dev up | env | down', () => {
  it('starts a cluster kubectl can use, reports it, and stops it without leftovers', async () => {
    const devDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-cli-'));
    const env = { AKASH_OPERATOR_DEV_DIR: devDir };
    const up = await run(['dev', 'up'], env);
    expect(up.stderr).toBe('');
    expect(up.stdout).toContain(`export KUBECONFIG=${devDir}/kubeconfig`);
    try {
      const envOut = await run(['dev', 'env'], env);
      expect(envOut.stdout).toBe(`export KUBECONFIG=${devDir}/kubeconfig\n`);
      const { stdout } = await execFileP(binaryPath('kubectl'), ['get', 'nodes', '-o', 'name'], { env: { ...process.env, KUBECONFIG: `${devDir}/kubeconfig` } });
      expect(stdout.trim().split('\n')).toEqual(['node/kwok-node-0', 'node/kwok-node-1', 'node/kwok-node-2']);
      const state = JSON.parse(fs.readFileSync(path.join(devDir, 'state.json'), 'utf8')) as { pid: number };
      expect((await run(['dev', 'up'], env)).stdout).toContain('already running');

      expect((await run(['dev', 'down'], env)).stdout).toBe('dev cluster stopped\n');
      expect(() => process.kill(state.pid, 0)).toThrow();
      const { stdout: ps } = await execFileP('ps', ['-eo', 'args']);
      expect(ps.split('\n').filter((l) => l.includes(devDir) && !l.includes('vitest'))).toEqual([]);
      const after = await run(['dev', 'env'], env);
      expect(after.code).toBe(1);
      expect(after.stderr).toBe("akash-operator: no dev cluster is running; start one with 'akash-operator dev up'.\n");
    } finally {
      await run(['dev', 'down'], env);
    }
  });

  it('refuses a busy API port with one sentence and starts nothing', async () => {
    const devDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-cli-'));
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const r = await run(['dev', 'up'], { AKASH_OPERATOR_DEV_DIR: devDir, AKASH_OPERATOR_DEV_API_PORT: String(port) });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `akash-operator: Port 127.0.0.1:${port} for kube-apiserver is already in use: stop the process holding it (ss -ltnp 'sport = :${port}') or choose another port.\n`,
      );
    } finally {
      srv.close();
    }
  });
});
