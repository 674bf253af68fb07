/**
 * The CustomResourceDefinitions of our kinds, built from the TypeBox schemas. `generate.ts` writes
 * them to `crds/`; `akash-operator crds` prints them; a test keeps `crds/` fresh.
 */
import type { TSchema } from '@sinclair/typebox';
import { API_VERSION, CATEGORY, GROUP, VERSION } from './common.ts';
import { HOSTNAME_CLAIM_KIND, HOSTNAME_CLAIM_PLURAL, HostnameClaimSpec, HostnameClaimStatus } from './hostname-claim.ts';
import { LEASE_KIND, LEASE_PLURAL, LeaseSpec, LeaseStatus } from './lease.ts';
import { MANIFEST_KIND, MANIFEST_PLURAL, ManifestSpec, ManifestStatus } from './manifest.ts';
import { SERVICE_KIND, SERVICE_PLURAL, ServiceSpec, ServiceStatus } from './service.ts';
import { TENANT_ROLE_BINDING_KIND, TENANT_ROLE_BINDING_PLURAL, TENANT_ROLE_KIND, TENANT_ROLE_PLURAL, TenantRbacStatus, TenantRoleBindingSpec, TenantRoleSpec } from './tenant-rbac.ts';
import { toStructuralSchema, type JSONSchemaProps } from './structural.ts';

/** The fields of apiextensions.k8s.io/v1 CustomResourceDefinition that we set. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[]; categories: string[] };
    scope: 'Cluster' | 'Namespaced';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JSONSchemaProps };
      subresources: {
        status: Record<string, never>;
        scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
      };
      additionalPrinterColumns: PrinterColumn[];
    }[];
  };
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

interface KindDefinition {
  kind: string;
  plural: string;
  shortName: string;
  scope: 'Cluster' | 'Namespaced';
  description: string;
  spec: TSchema;
  status: TSchema;
  columns: PrinterColumn[];
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

// kubectl resolves the bare plurals `leases` and `services` to built-in kinds, so the short names
// are what people type: `kubectl get alease`, `mani`, `asvc`.
const KINDS: KindDefinition[] = [
  {
    kind: LEASE_KIND,
    plural: LEASE_PLURAL,
    shortName: 'alease',
    scope: 'Cluster',
    description: 'An Akash lease served by this provider; named after its lease namespace.',
    spec: LeaseSpec,
    status: LeaseStatus,
    columns: [
      { name: 'Owner', type: 'string', jsonPath: '.spec.id.owner' },
      { name: 'DSeq', type: 'string', jsonPath: '.spec.id.dseq' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Services', type: 'string', jsonPath: '.status.servicesReady', description: 'ready/all services' },
      { name: 'State', type: 'string', jsonPath: '.spec.state', priority: 1 },
      { name: 'Namespace', type: 'string', jsonPath: '.status.namespace', priority: 1 },
      AGE,
    ],
  },
  {
    kind: MANIFEST_KIND,
    plural: MANIFEST_PLURAL,
    shortName: 'mani',
    scope: 'Cluster',
    description: "A tenant's manifest of one deployment; named <owner>-<dseq>.",
    spec: ManifestSpec,
    status: ManifestStatus,
    columns: [
      { name: 'Owner', type: 'string', jsonPath: '.spec.owner' },
      { name: 'DSeq', type: 'string', jsonPath: '.spec.dseq' },
      { name: 'Accepted', type: 'string', jsonPath: '.status.conditions[?(@.type=="Accepted")].status' },
      { name: 'Hash', type: 'string', jsonPath: '.spec.hash', priority: 1 },
      AGE,
    ],
  },
  {
    kind: SERVICE_KIND,
    plural: SERVICE_PLURAL,
    shortName: 'asvc',
    scope: 'Namespaced',
    description: 'One service of a lease, in the lease namespace; named after the manifest service.',
    spec: ServiceSpec,
    status: ServiceStatus,
    columns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.ready', description: 'ready/desired replicas' },
      { name: 'URIs', type: 'string', jsonPath: '.status.uris' },
      { name: 'Image', type: 'string', jsonPath: '.spec.image', priority: 1 },
      AGE,
    ],
    scale: { specReplicasPath: '.spec.count', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
  },
  {
    kind: TENANT_ROLE_KIND,
    plural: TENANT_ROLE_PLURAL,
    shortName: 'trole',
    scope: 'Namespaced',
    description: 'What grantees may do on a lease (actions, services, replica bounds); in the lease namespace.',
    spec: TenantRoleSpec,
    status: TenantRbacStatus,
    columns: [AGE],
  },
  {
    kind: TENANT_ROLE_BINDING_KIND,
    plural: TENANT_ROLE_BINDING_PLURAL,
    shortName: 'trb',
    scope: 'Namespaced',
    description: 'A TenantRole granted to Akash accounts until an expiry; in the lease namespace.',
    spec: TenantRoleBindingSpec,
    status: TenantRbacStatus,
    columns: [
      { name: 'Role', type: 'string', jsonPath: '.spec.roleRef.name' },
      { name: 'Expires', type: 'string', jsonPath: '.spec.expiresAt' },
      AGE,
    ],
  },
  {
    kind: HOSTNAME_CLAIM_KIND,
    plural: HOSTNAME_CLAIM_PLURAL,
    shortName: 'ahost',
    scope: 'Cluster',
    description: 'A hostname routed for one lease on this provider; named after the hostname.',
    spec: HostnameClaimSpec,
    status: HostnameClaimStatus,
    columns: [
      { name: 'Namespace', type: 'string', jsonPath: '.spec.namespace' },
      { name: 'Owner', type: 'string', jsonPath: '.spec.lease.owner' },
      { name: 'DSeq', type: 'string', jsonPath: '.spec.lease.dseq' },
      AGE,
    ],
  },
];

/**
 * Annotation on each generated CRD: a digest of its spec (`crd-files.ts` writes it). The operator
 * compares it with its own at start (`controllers/crd-gate.ts`), because Helm installs CRDs but
 * never upgrades them, and an operator on older CRDs loses what it writes to the API server's pruning.
 */
export const SCHEMA_DIGEST_ANNOTATION = `${GROUP}/schema-digest`;

function buildCrd(def: KindDefinition): CustomResourceDefinition {
  const openAPIV3Schema: JSONSchemaProps = {
    type: 'object',
    description: def.description,
    properties: {
      apiVersion: { type: 'string', description: `always ${API_VERSION}` },
      kind: { type: 'string', description: `always ${def.kind}` },
      // The API server validates metadata itself and refuses schemas that constrain more of it.
      metadata: { type: 'object' },
      spec: toStructuralSchema(def.spec),
      status: toStructuralSchema(def.status),
    },
    required: ['spec'],
  };
  const spec: CustomResourceDefinition['spec'] = {
    group: GROUP,
    names: {
      kind: def.kind,
      listKind: `${def.kind}List`,
      plural: def.plural,
      singular: def.kind.toLowerCase(),
      shortNames: [def.shortName],
      categories: [CATEGORY],
    },
    scope: def.scope,
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        schema: { openAPIV3Schema },
        subresources: def.scale ? { status: {}, scale: def.scale } : { status: {} },
        additionalPrinterColumns: def.columns,
      },
    ],
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'akash-operator' } },
    spec,
  };
}

/** All our CRDs, in a stable order (Lease, Manifest, Service, TenantRole, TenantRoleBinding, HostnameClaim). */
export function buildCrds(): CustomResourceDefinition[] {
  return KINDS.map(buildCrd);
}
