import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../runtime/log.ts';
import { watchSvidDir, type SvidDir } from './svid-dir.ts';
import { issueTestSvid, newTestCa, svidFiles, writeKubeletDir, type TestCa } from './test-pki.ts';

function captureLog() {
  const lines: { msg: string; reason?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      cb();
    },
  });
  return { log: createLogger({ level: 'debug' }, stream), lines };
}

let ca: TestCa;
let root: string;
const open: SvidDir[] = [];
beforeAll(async () => {
  ca = await newTestCa('td.test');
});
afterEach(() => {
  for (const d of open.splice(0)) d.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function watch(dir: string, extra: { now?: () => Date; pollMs?: number } = {}) {
  const { log, lines } = captureLog();
  const d = await watchSvidDir({ dir, pollMs: extra.pollMs ?? 60_000, log, ...(extra.now ? { now: extra.now } : {}) });
  open.push(d);
  return { d, lines };
}

describe('watchSvidDir', () => {
  it('reads plain files too (no ..data), for mounts that are not kubelet volumes', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'svid-dir-'));
    const s = await issueTestSvid(ca, 'spiffe://td.test/w');
    for (const [f, text] of Object.entries(svidFiles(s, ca))) fs.writeFileSync(path.join(root, f), text);
    const { d } = await watch(root);
    expect(d.current()?.serial).toBe(s.serial);
  });

  it('reads all three files from the version ..data points at, not from the visible names', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'svid-dir-'));
    const older = await issueTestSvid(ca, 'spiffe://td.test/w');
    const newer = await issueTestSvid(ca, 'spiffe://td.test/w');
    writeKubeletDir(root, svidFiles(newer, ca));
    // A visible name that (wrongly) holds another version: following it would mix two SVIDs.
    fs.rmSync(path.join(root, 'svid.pem'));
    fs.writeFileSync(path.join(root, 'svid.pem'), older.certPem);
    const { d } = await watch(root);
    expect(d.current()?.serial).toBe(newer.serial);
  });

  it('logs a refused version once, however often it is re-read, and keeps the previous SVID', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'svid-dir-'));
    const s = await issueTestSvid(ca, 'spiffe://td.test/w');
    writeKubeletDir(root, svidFiles(s, ca));
    const { d, lines } = await watch(root);
    writeKubeletDir(root, { ...svidFiles(s, ca), 'bundle.pem': 'garbage' });
    for (let i = 0; i < 3; i++) await d.reload();
    const refused = lines.filter((l) => l.msg === 'keeping the previous SVID');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toContain(`${root}/bundle.pem: no CERTIFICATE block found`);
    expect(d.current()?.serial).toBe(s.serial);
    expect(d.problem()).toContain('were refused');
  });

  it('says once, at error level, when the served SVID expires with nothing newer projected', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'svid-dir-'));
    writeKubeletDir(root, svidFiles(await issueTestSvid(ca, 'spiffe://td.test/w'), ca));
    let now = new Date();
    const { lines } = await watch(root, { now: () => now, pollMs: 100 });
    now = new Date(Date.now() + 2 * 3600_000);
    await new Promise((r) => setTimeout(r, 350));
    expect(lines.filter((l) => l.msg.includes('has expired'))).toHaveLength(1);
  });
});
