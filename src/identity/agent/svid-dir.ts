/**
 * Keeps the newest valid SVID from a directory the kubelet projects a Secret into. The kubelet's
 * atomic writer puts the files in a timestamped directory and swaps the `..data` symlink to
 * publish a new version, so the agent resolves `..data` once and reads all three files from that
 * one version (reading the visible symlinks one by one could mix two versions across a swap).
 *
 * fs.watch notices a swap at once; a periodic poll catches whatever inotify misses (an event
 * dropped under load, a directory that appears late, a watch that failed). Both just trigger a
 * reload, and a reload whose files hash the same as last time does nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../runtime/log.ts';
import { BUNDLE_FILE, hashFiles, KEY_FILE, parseSvidFiles, SVID_FILE, type SvidFileTexts, type X509Identity } from './svid.ts';

/** A projected Secret of three small PEM files; anything much bigger is not one. */
const MAX_FILE_BYTES = 1 << 20;
/** Lets a burst of inotify events (one per file and symlink) settle into one reload. */
const SETTLE_MS = 25;

export interface SvidDirOptions {
  dir: string;
  pollMs: number;
  log: Logger;
  /** The clock for expiry checks; tests move it. */
  now?: () => Date;
}

export interface SvidDir {
  /** The SVID being served, if a valid one has been seen. */
  current(): X509Identity | undefined;
  /** Why there is no SVID (or why the newest files were refused), for PermissionDenied details. */
  problem(): string | undefined;
  /** Calls `fn` after each change to a new valid SVID (never twice in a row for the same content). */
  onChange(fn: (id: X509Identity) => void): void;
  /** Reloads now; resolves after the reload (and any it queued) finished. */
  reload(): Promise<void>;
  close(): void;
}

/** The directory holding the current version: `..data`'s target, or `dir` itself without one. */
async function versionDir(dir: string): Promise<string> {
  try {
    return path.resolve(dir, await fs.promises.readlink(path.join(dir, '..data')));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOENT: plain files (not a kubelet volume); EINVAL: `..data` is not a symlink.
    if (code === 'ENOENT' || code === 'EINVAL') return dir;
    throw e;
  }
}

async function readText(file: string): Promise<string> {
  const buf = await fs.promises.readFile(file);
  if (buf.length > MAX_FILE_BYTES) throw new Error(`${file} is ${buf.length} bytes, more than ${MAX_FILE_BYTES}`);
  return buf.toString('utf8');
}

async function readFiles(dir: string): Promise<SvidFileTexts> {
  const v = await versionDir(dir);
  const [svid, key, bundle] = await Promise.all([SVID_FILE, KEY_FILE, BUNDLE_FILE].map((f) => readText(path.join(v, f))));
  return { svid: svid!, key: key!, bundle: bundle! };
}

export async function watchSvidDir(opts: SvidDirOptions): Promise<SvidDir> {
  const { dir, log } = opts;
  const now = opts.now ?? (() => new Date());
  let current: X509Identity | undefined;
  let problem: string | undefined = `no SVID read from ${dir} yet`;
  // The last files (or read error) looked at, so that unchanged input is neither re-parsed nor re-logged.
  let lastSeen = '';
  let expiryWarned = false;
  let closed = false;
  const listeners: ((id: X509Identity) => void)[] = [];

  async function loadOnce(): Promise<void> {
    let texts: SvidFileTexts;
    try {
      texts = await readFiles(dir);
    } catch (e) {
      const msg = `cannot read the SVID files in ${dir}: ${(e as Error).message}`;
      if (lastSeen !== msg) log.warn({ dir, reason: msg }, current ? 'keeping the previous SVID' : 'no identity yet');
      lastSeen = msg;
      problem = msg;
      return;
    }
    const hash = hashFiles(texts);
    if (hash === lastSeen) return;
    lastSeen = hash;
    let next: X509Identity;
    try {
      next = parseSvidFiles(texts, dir, now());
    } catch (e) {
      problem = `the SVID files in ${dir} were refused: ${(e as Error).message}`;
      log.warn({ dir, reason: problem }, current ? 'keeping the previous SVID' : 'no identity yet');
      return;
    }
    problem = undefined;
    if (current?.hash === next.hash) return; // back to the version already served (after a bad one)
    current = next;
    expiryWarned = false;
    log.info({ spiffeId: next.spiffeId, serial: next.serial, notAfter: next.notAfter.toISOString() }, 'serving SVID');
    for (const fn of listeners) fn(next);
  }

  // Reloads run one at a time; a trigger during a reload queues exactly one more.
  let running: Promise<void> | undefined;
  let again = false;
  function reload(): Promise<void> {
    if (closed) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await loadOnce();
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  let watcher: fs.FSWatcher | undefined;
  let watchWarned = false;
  let settle: NodeJS.Timeout | undefined;
  function ensureWatch(): void {
    if (watcher || closed) return;
    try {
      watcher = fs.watch(dir, { persistent: false }, () => {
        clearTimeout(settle);
        settle = setTimeout(() => void reload(), SETTLE_MS);
      });
      watcher.on('error', (e) => {
        // The poll keeps working and re-creates the watch on its next tick.
        log.warn({ dir, err: e }, 'watching the SVID directory failed; relying on polling');
        watcher?.close();
        watcher = undefined;
      });
    } catch (e) {
      if (!watchWarned) log.warn({ dir, err: e }, 'cannot watch the SVID directory yet; polling');
      watchWarned = true;
    }
  }

  const poll = setInterval(() => {
    ensureWatch();
    void reload();
    // Nothing on disk replaced an expiring SVID: say so once, since clients will start failing.
    if (current && !expiryWarned && current.notAfter.getTime() <= now().getTime()) {
      expiryWarned = true;
      log.error({ spiffeId: current.spiffeId, notAfter: current.notAfter.toISOString() }, 'the served SVID has expired and no newer one was projected');
    }
  }, opts.pollMs);

  ensureWatch();
  await reload();
  return {
    current: () => current,
    problem: () => problem,
    onChange: (fn) => void listeners.push(fn),
    reload,
    close() {
      closed = true;
      clearInterval(poll);
      clearTimeout(settle);
      watcher?.close();
      watcher = undefined;
    },
  };
}
