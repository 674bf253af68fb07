/**
 * The operator's configuration: one TypeBox schema gives the type, the defaults and the checks.
 * Provider policy (what tenant workloads may do) is checked by `resolveProviderPolicy`.
 */
import { Type, type Static } from '@sinclair/typebox';

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
    /** Provider policy for tenant workloads; see src/workloads/policy.ts for every field and default. */
    policy: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  },
  { additionalProperties: false },
);
export type OperatorConfig = Static<typeof OperatorConfig>;
