import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spiffeAgentCommand, parseSpiffeAgentFlags } from './cli.ts';
import type { X509SVIDResponse } from './proto.ts';
import { openStream, testClient } from './test-client.ts';
import { issueTestSvid, newTestCa, svidFiles, writeKubeletDir } from './test-pki.ts';

describe('spiffe-agent flags', () => {
  it('reads --dir, --socket, --poll-interval and --log-level', () => {
    expect(parseSpiffeAgentFlags(['--dir', '/d', '--socket=unix:///s', '--poll-interval', '2s'])).toEqual({ dir: '/d', socket: 'unix:///s', pollMs: 2000, logLevel: 'info' });
    expect(parseSpiffeAgentFlags(['--dir=/d', '--socket=/s', '--poll-interval=750ms', '--log-level=debug']).pollMs).toBe(750);
  });

  it('names the missing or bad flag, with exit code 2', () => {
    expect(() => parseSpiffeAgentFlags(['--dir', '/d'])).toThrow(expect.objectContaining({ message: expect.stringContaining('--socket is required'), exitCode: 2 }));
    expect(() => parseSpiffeAgentFlags(['--dir', '/d', '--socket', '/s', '--poll-interval', 'soon'])).toThrow("--poll-interval 'soon' is not a duration");
    expect(() => parseSpiffeAgentFlags(['--dir', '/d', '--socket', '/s', '--poll-interval', '5'])).toThrow('below 100ms');
    expect(() => parseSpiffeAgentFlags(['--dri', '/d'])).toThrow('unknown flag --dri');
    expect(() => parseSpiffeAgentFlags(['--dir'])).toThrow('flag --dir needs a value');
  });

  it('reports a relative socket path as a CLI error', async () => {
    await expect(spiffeAgentCommand(['--dir', '/nonexistent', '--socket', 'agent.sock', '--log-level', 'silent'])).rejects.toThrow(
      "spiffe-agent: the socket path 'agent.sock' must be absolute",
    );
  });
});

describe('spiffe-agent command', () => {
  it('serves until stopped, then removes its socket', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spiffe-cli-'));
    try {
      const ca = await newTestCa('td.test');
      writeKubeletDir(path.join(root, 'svid'), svidFiles(await issueTestSvid(ca, 'spiffe://td.test/w'), ca));
      const socket = path.join(root, 'agent.sock');
      const stop = new AbortController();
      const running = spiffeAgentCommand(['--dir', path.join(root, 'svid'), '--socket', `unix://${socket}`, '--log-level', 'silent'], stop.signal);
      let client;
      for (let i = 0; i < 50 && !fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
      client = testClient(`unix://${socket}`);
      expect((await openStream<X509SVIDResponse>(client, 'FetchX509SVID').next()).svids[0]!.spiffe_id).toBe('spiffe://td.test/w');
      client.close();
      client = undefined;
      stop.abort();
      await running;
      expect(fs.existsSync(socket)).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
