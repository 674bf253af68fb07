import https from 'node:https';
import http from 'node:http';

/** GET a URL; resolves with status and body, never throws on HTTP status. */
export function httpGet(url: string, opts: { ca?: string; insecure?: boolean; timeoutMs?: number } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.get(
      u,
      { ca: opts.ca, rejectUnauthorized: !opts.insecure, timeout: opts.timeoutMs ?? 2000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout GET ${url}`)));
    req.on('error', reject);
  });
}
