/**
 * The operator's configuration: one TypeBox schema gives the type, the defaults and the checks.
 * Provider policy (what tenant workloads may do) is checked by `resolveProviderPolicy`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { GatewayConfig } from '../gateway/config.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export const OperatorConfig = Type.Object(
  {
    /** Path of a kubeconfig; in-cluster service-account credentials when empty. */
    kubeconfig: Type.String({ default: '' }),
    /** The operator's own namespace (registry-credential Secrets, leader-election Lease). */
    namespace: Type.String({ default: 'akash-operator', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }),
    /** Where /metrics, /healthz and /readyz listen. */
    metricsAddr: Type.String({ default: '127.0.0.1:8080', pattern: '^[^:]*:[0-9]{1,5}$' }),
    /** Field manager recorded for every server-side apply. */
    fieldManager: Type.String({ default: 'akash-operator', minLength: 1, maxLength: 128 }),
    /** Reconcile workers per controller. */
    concurrency: Type.Integer({ default: 4, minimum: 1, maximum: 64 }),
    /** Every object is reconciled again this often even without events (drift repair). */
    resyncSeconds: Type.Integer({ default: 600, minimum: 10, maximum: 86_400 }),
    logLevel: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l)), { default: 'info' }),
    /**
     * Leader election on a coordination.k8s.io Lease (docs/adr/0003-leader-election.md): only the
     * leader runs the controllers; every replica serves /metrics, /healthz and /readyz.
     */
    leaderElection: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** Name of the coordination Lease. */
        leaseName: Type.String({ default: 'akash-operator', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 }),
        /** Namespace of the coordination Lease; empty = the operator's namespace. */
        namespace: Type.String({ default: '', pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$', maxLength: 63 }),
        /** A standby takes over when the record has not changed for this long (crash takeover ≈ this + retry). */
        leaseDurationSeconds: Type.Integer({ default: 15, minimum: 2, maximum: 3600 }),
        /** The leader stops and exits when no renewal succeeded for this long. */
        renewDeadlineSeconds: Type.Integer({ default: 10, minimum: 2, maximum: 3600 }),
        /** Time between acquire/renew attempts (graceful handover ≈ this). */
        retryPeriodSeconds: Type.Integer({ default: 2, minimum: 1, maximum: 600 }),
      },
      { default: {}, additionalProperties: false },
    ),
    /**
     * SPIFFE workload identity (docs/adr/0004-spiffe-identity.md): a CA in a Secret of the
     * operator's namespace, an X.509-SVID per tenant service, the trust bundle in a ConfigMap.
     */
    identity: Type.Object(
      {
        /** Issue SVIDs to every tenant service and run the Workload API agent beside its pods. */
        enabled: Type.Boolean({ default: false }),
        /** The SPIFFE trust domain: lowercase letters, digits, '.', '-', '_' (SPIFFE-ID §2.1). */
        trustDomain: Type.String({ default: 'akash-provider.local', pattern: '^[a-z0-9._-]+$', maxLength: 255 }),
        /** Lifetime of an X.509-SVID; rotated at half of it, ± 10 % jitter. */
        svidTtlSeconds: Type.Integer({ default: 3600, minimum: 60, maximum: 30 * 86_400 }),
        /** Lifetime of a self-signed CA; the next one is prepared at half of it, activated at 5/6. */
        caTtlSeconds: Type.Integer({ default: 7 * 86_400, minimum: 360, maximum: 10 * 365 * 86_400 }),
        /** The Secret (operator namespace) where the operator keeps its CA keys. */
        caSecretName: Type.String({ default: 'akash-operator-spiffe-ca', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 }),
        /**
         * A kubernetes.io/tls Secret (operator namespace) with an intermediate CA signed by an
         * upstream CA (`tls.crt`, `tls.key`, and the upstream root in `ca.crt`); empty = self-signed.
         */
        upstreamCaSecretName: Type.String({ default: '', pattern: '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$', maxLength: 253 }),
        /** The ConfigMap (operator namespace) publishing the trust bundle (`bundle.pem`, `bundle.jwks`). */
        bundleConfigMapName: Type.String({ default: 'akash-spiffe-bundle', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 }),
        /** Image of the Workload API sidecar: the operator image, which has the `spiffe-agent` command. */
        agentImage: Type.String({ default: 'ghcr.io/akash-operator/akash-operator:0.1.0', minLength: 1 }),
        /**
         * The HTTPS SPIFFE bundle endpoint (https_web profile): where it listens ('' = off) and the
         * PEM files of its web certificate.
         */
        bundleEndpoint: Type.Object(
          {
            addr: Type.String({ default: '', pattern: '^([^:]*:[0-9]{1,5})?$' }),
            certFile: Type.String({ default: '' }),
            keyFile: Type.String({ default: '' }),
          },
          { default: {}, additionalProperties: false },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    /** The tenant gateway (src/gateway/README.md): the Go provider's REST API for Akash tools. */
    gateway: GatewayConfig,
    /** Provider policy for tenant workloads; see src/workloads/policy.ts for every field and default. */
    policy: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  },
  { additionalProperties: false },
);
export type OperatorConfig = Static<typeof OperatorConfig>;
