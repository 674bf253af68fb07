/**
 * The tenant gateway's settings, as a TypeBox schema to merge into `OperatorConfig` under the key
 * `gateway` (src/config/schema.ts). The cross-field rules a JSON schema cannot say well (an address
 * needs a certificate and the provider's address) are in `gatewayConfigProblems`.
 */
import { Type, type Static } from '@sinclair/typebox';

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';

export const GatewayConfig = Type.Object(
  {
    /** Where the HTTPS API listens, `host:port` (the Go provider uses :8443); '' = the gateway is off. */
    addr: Type.String({ default: '', pattern: '^([^:]*:[0-9]{1,5})?$' }),
    /** PEM files of the gateway's serving certificate and key (re-read when they change). */
    certFile: Type.String({ default: '' }),
    keyFile: Type.String({ default: '' }),
    /** The provider's account address (akash1…): `GET /address`, and the provider JWT permissions name. */
    providerAddress: Type.String({ default: '', pattern: '^(akash1[02-9ac-hj-np-z]{38,58})?$' }),
    /** Largest request body; a manifest is a few KiB, the Go provider has no limit at all. */
    bodyLimitBytes: Type.Integer({ default: 1 << 20, minimum: 1024, maximum: 64 << 20 }),
    /** Token-bucket rate per tenant (per client IP before authentication), requests per second. */
    ratePerSecond: Type.Number({ default: 5, exclusiveMinimum: 0, maximum: 10_000 }),
    /** Bucket size: requests a tenant may send at once before the rate applies. */
    burst: Type.Integer({ default: 20, minimum: 1, maximum: 100_000 }),
    /** A request that takes longer is answered 503 (and its connection is closed if still uploading). */
    requestTimeoutSeconds: Type.Integer({ default: 30, minimum: 1, maximum: 600 }),
    /**
     * ConfigMap (operator namespace) mapping tenant addresses to their secp256k1 public keys
     * (`akash1…: <base64 of the 33-byte compressed key>`). A stand-in for the chain's account
     * query until src/chain/ exists: the chain layer will implement the same AccountKeys interface.
     */
    accountKeysConfigMap: Type.String({ default: 'akash-account-keys', pattern: DNS_SUBDOMAIN, maxLength: 253 }),
    /** Tolerance for the JWT time claims (exp, nbf, iat) against this host's clock. */
    clockSkewSeconds: Type.Integer({ default: 30, minimum: 0, maximum: 300 }),
  },
  { default: {}, additionalProperties: false },
);
export type GatewayConfig = Static<typeof GatewayConfig>;

/** Rules across fields, each naming the setting; [] when the configuration can start. */
export function gatewayConfigProblems(cfg: GatewayConfig, prefix = 'gateway'): string[] {
  if (cfg.addr === '') return [];
  const out: string[] = [];
  const port = Number(cfg.addr.slice(cfg.addr.lastIndexOf(':') + 1));
  if (port < 1 || port > 65535) out.push(`${prefix}.addr: port must be 1..65535, got ${port}`);
  if (cfg.certFile === '') out.push(`${prefix}.certFile: is required when ${prefix}.addr is set (the gateway serves HTTPS only)`);
  if (cfg.keyFile === '') out.push(`${prefix}.keyFile: is required when ${prefix}.addr is set (the gateway serves HTTPS only)`);
  if (cfg.providerAddress === '') out.push(`${prefix}.providerAddress: is required when ${prefix}.addr is set (GET /address and JWT provider permissions need it)`);
  return out;
}
