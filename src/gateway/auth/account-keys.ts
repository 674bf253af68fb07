/**
 * Where the gateway learns a tenant's public key (AEP-64: the verification key is the issuer's
 * account key on chain). `AccountKeys` is the narrow interface the chain layer will implement
 * (an auth-module account query, cached). Until src/chain/ exists, `ConfigMapAccountKeys` reads
 * them from a ConfigMap an admin fills in: `data: { akash1…: <base64 of the 33-byte key> }`.
 *
 * Whatever the source, the JWT verifier checks that the key hashes to the address it is filed
 * under (secp256k1.ts `keyMatchesAddress`), so a wrong entry cannot impersonate another account.
 */
import type { KubeClient, KubeObject, Logger } from '../../runtime/index.ts';
import { silentLogger } from '../../runtime/index.ts';
import { ConfigMapRef } from '../../controllers/refs.ts';

export interface AccountKeys {
  /** The account's compressed secp256k1 public key (33 bytes), or undefined when none is known. */
  publicKey(address: string): Promise<Buffer | undefined>;
}

/** Fixed keys (tests, and a provider that pins its tenants). */
export class StaticAccountKeys implements AccountKeys {
  private readonly keys: Map<string, Buffer>;
  constructor(keys: Record<string, Uint8Array> = {}) {
    this.keys = new Map(Object.entries(keys).map(([a, k]) => [a, Buffer.from(k)]));
  }
  set(address: string, key: Uint8Array): void {
    this.keys.set(address, Buffer.from(key));
  }
  async publicKey(address: string): Promise<Buffer | undefined> {
    return this.keys.get(address);
  }
}

type ConfigMap = KubeObject & { data?: Record<string, string> };

export interface ConfigMapAccountKeysOptions {
  client: Pick<KubeClient, 'get'>;
  namespace: string;
  name: string;
  /** How long one read of the ConfigMap serves lookups (a flood of requests costs one GET per period). */
  ttlMs?: number;
  log?: Logger;
  now?: () => number;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The stand-in until the chain layer exists: keys from a ConfigMap in the operator namespace. */
export class ConfigMapAccountKeys implements AccountKeys {
  private readonly opts: ConfigMapAccountKeysOptions;
  private readonly log: Logger;
  private cached: { at: number; data: Record<string, string> } | undefined;
  private loading: Promise<Record<string, string>> | undefined;
  /** Entries already reported as malformed (one warning per value, not per request). */
  private readonly warned = new Set<string>();

  constructor(opts: ConfigMapAccountKeysOptions) {
    this.opts = opts;
    this.log = (opts.log ?? silentLogger()).child({ component: 'account-keys' });
  }

  async publicKey(address: string): Promise<Buffer | undefined> {
    const data = await this.data();
    const value = Object.hasOwn(data, address) ? data[address] : undefined;
    if (value === undefined) return undefined;
    const text = value.trim();
    const key = BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
    if (key === undefined || key.length !== 33) {
      const tag = `${address}=${text}`;
      if (!this.warned.has(tag)) {
        this.warned.add(tag);
        this.log.warn({ configMap: `${this.opts.namespace}/${this.opts.name}`, address }, 'account key entry is not base64 of a 33-byte compressed secp256k1 key; ignored');
      }
      return undefined;
    }
    return key;
  }

  private async data(): Promise<Record<string, string>> {
    const now = (this.opts.now ?? Date.now)();
    if (this.cached && now - this.cached.at < (this.opts.ttlMs ?? 10_000)) return this.cached.data;
    // Concurrent lookups share one GET.
    this.loading ??= this.opts.client
      .get<ConfigMap>(ConfigMapRef, { name: this.opts.name, namespace: this.opts.namespace })
      .then((cm) => {
        const data = cm?.data ?? {};
        this.cached = { at: now, data };
        return data;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }
}
