import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { credentialSource, inClusterAccess, KubeconfigError, loadKubeconfigFile, parseKubeconfig, type ExecConfig } from './kubeconfig.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const config = (user: string, cluster = 'server: https://127.0.0.1:6443/\n    certificate-authority: ca.crt') => `
apiVersion: v1
kind: Config
current-context: ctx
contexts:
- name: other
  context: {cluster: nope, user: nope}
- name: ctx
  context: {cluster: c, user: u}
clusters:
- name: c
  cluster:
    ${cluster}
users:
- name: u
  user:
${user
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;

describe('parseKubeconfig', () => {
  it('reads the current context: server, CA and client key pair from files relative to the kubeconfig', () => {
    const dir = tmp({ 'ca.crt': 'CA', 'tls.crt': 'CERT', 'tls.key': 'KEY', kubeconfig: config('client-certificate: tls.crt\nclient-key: tls.key') });
    const a = loadKubeconfigFile(path.join(dir, 'kubeconfig'));
    expect(a.server).toBe('https://127.0.0.1:6443');
    expect(a.ca?.toString()).toBe('CA');
    expect(a.cert?.toString()).toBe('CERT');
    expect(a.key?.toString()).toBe('KEY');
    expect(a.insecureSkipTlsVerify).toBe(false);
  });

  it('reads inline data, a token, a token file, insecure-skip-tls-verify and tls-server-name', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const a = parseKubeconfig(
      config(`client-certificate-data: ${b64('C')}\nclient-key-data: ${b64('K')}\ntoken: t0k\ntokenFile: tok`, `server: https://h:1\n    insecure-skip-tls-verify: true\n    tls-server-name: api.example`),
      '/etc/x/kubeconfig',
    );
    expect([a.cert?.toString(), a.key?.toString(), a.token, a.tokenFile, a.insecureSkipTlsVerify, a.tlsServerName]).toEqual(['C', 'K', 't0k', '/etc/x/tok', true, 'api.example']);
  });

  it('names the field and the rule when something is wrong, and refuses auth-provider and alias bombs', () => {
    const bad = (text: string) => () => parseKubeconfig(text, 'kc');
    const srv = 'server: https://h:1';
    expect(bad('current-context: nope\ncontexts: []')).toThrow('kc: context "nope" (named by the current context) is not in contexts');
    expect(bad('contexts: []')).toThrow('kc: current-context is not set');
    expect(bad(config('token: x', 'server: ftp://h'))).toThrow('clusters[name=c].cluster.server must be https://');
    expect(bad(config('client-certificate-data: QQ==', srv))).toThrow('users[name=u].user needs both client-certificate and client-key');
    expect(bad(config('auth-provider: {name: gcp}', srv))).toThrow('users[name=u].user.auth-provider (gcp) is not supported');
    expect(bad(config('exec: {args: [a]}', srv))).toThrow('users[name=u].user.exec.command is required');
    expect(bad(config('client-key: /nonexistent/key\nclient-certificate: /nonexistent/crt', srv))).toThrow(/^kc: users\[name=u\]\.user\.client-certificate: cannot read \/nonexistent\/crt \(ENOENT\)$/);
    const bomb = `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`;
    expect(bad(bomb)).toThrow(KubeconfigError);
  });
});

describe('inClusterAccess', () => {
  it('uses the service account token file and CA, and refuses to run outside a pod', () => {
    const dir = tmp({ token: 'sa-token\n', 'ca.crt': 'CA' });
    const a = inClusterAccess({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    expect(a).toMatchObject({ server: 'https://10.96.0.1:443', tokenFile: path.join(dir, 'token') });
    expect(a.ca?.toString()).toBe('CA');
    expect(inClusterAccess({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir).server).toBe('https://[fd00::1]:443');
    expect(() => inClusterAccess({}, dir)).toThrow('not running in a pod');
  });
});

describe('credentialSource', () => {
  it('re-reads a token file once a minute and keeps the last token if a re-read fails', async () => {
    const dir = tmp({ token: 'one\n' });
    let t = 0;
    const creds = credentialSource({ server: 'https://h', insecureSkipTlsVerify: false, tokenFile: path.join(dir, 'token') }, { now: () => t });
    expect((await creds()).authorization).toBe('Bearer one');
    fs.writeFileSync(path.join(dir, 'token'), 'two');
    t = 59_000;
    expect((await creds()).authorization).toBe('Bearer one');
    t = 60_000;
    expect((await creds()).authorization).toBe('Bearer two');
    fs.rmSync(path.join(dir, 'token'));
    t = 200_000;
    expect((await creds()).authorization).toBe('Bearer two');
  });

  it('runs an exec plugin once for concurrent callers, caches until shortly before expiry, and names a broken plugin', async () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const exec = vi.fn(async (_cfg: ExecConfig) =>
      JSON.stringify({ kind: 'ExecCredential', status: { token: `tok${exec.mock.calls.length}`, expirationTimestamp: '2026-01-01T00:10:00Z' } }),
    );
    const access = { server: 'https://h', insecureSkipTlsVerify: false, exec: { command: 'aws', args: ['eks', 'get-token'], env: {}, apiVersion: 'client.authentication.k8s.io/v1' } };
    const creds = credentialSource(access, { now: () => t, exec });
    const [a, b] = await Promise.all([creds(), creds()]);
    expect([a.authorization, b.authorization, exec.mock.calls.length]).toEqual(['Bearer tok1', 'Bearer tok1', 1]);
    t += 9 * 60_000;
    expect((await creds()).authorization).toBe('Bearer tok1');
    t += 55_000; // within 10 s of expiry
    expect((await creds()).authorization).toBe('Bearer tok2');

    const broken = credentialSource(access, { exec: async () => '{"status":{}}' });
    await expect(broken()).rejects.toThrow('exec credential plugin aws: its ExecCredential has neither status.token nor a client certificate and key');
  });

  it('sends basic auth for a username and password', async () => {
    const creds = credentialSource({ server: 'https://h', insecureSkipTlsVerify: false, basic: { username: 'admin', password: 'pw' } });
    expect((await creds()).authorization).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
  });
});
