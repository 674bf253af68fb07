/**
 * `Service` (short `asvc`, like Knative's `ksvc`): one manifest service of a lease, namespaced in
 * the lease namespace and named after the manifest service. The lease controller writes the spec
 * from the Manifest; `spec.count` is also the scale subresource. The service controller owns the
 * status. Manifest-derived fields keep the wire shapes of `wire.ts` so that copying a manifest
 * service into a Service loses nothing and needs no second set of rules.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Conditions, INT32_MAX, KindEnvelope, StringEnum } from './common.ts';
import { CredentialsSecretRef, ManifestService, Resources, ServiceExpose, ServiceParams } from './wire.ts';

export const SERVICE_KIND = 'Service';
export const SERVICE_PLURAL = 'services';

export const SERVICE_KINDS = ['container', 'function'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

const wire = ManifestService.properties;

export const ServiceSpec = Type.Object({
  kind: StringEnum([...SERVICE_KINDS], { description: 'container (a Deployment or StatefulSet) or function' }),
  image: wire.image,
  command: wire.command,
  args: wire.args,
  env: wire.env,
  resources: Resources,
  count: Type.Integer({ minimum: 0, maximum: INT32_MAX, description: 'replicas (the scale subresource)' }),
  expose: Type.Array(ServiceExpose, { maxItems: 256, description: 'exposed ports' }),
  params: Type.Optional(ServiceParams),
  credentialsSecretRef: Type.Optional(CredentialsSecretRef()),
  identity: Type.Optional(
    Type.Object(
      { spiffe: Type.Boolean({ description: 'issue a SPIFFE SVID to the workload' }) },
      { description: 'workload identity' },
    ),
  ),
});
export type ServiceSpec = Static<typeof ServiceSpec>;

/**
 * A global non-HTTP port as the cluster forwards it: the NodePort the API server allocated for it.
 * The tenant API reports these (`forwarded_ports` of the lease status) with the provider's public
 * hostname: without them a tenant cannot find a TCP or UDP service it exposed.
 */
export const ForwardedPort = Type.Object({
  port: Type.Integer({ minimum: 1, maximum: 65535, description: 'container port' }),
  externalPort: Type.Integer({ minimum: 1, maximum: 65535, description: 'node port the cluster forwards to it' }),
  proto: StringEnum(['TCP', 'UDP'], { description: 'protocol' }),
});
export type ForwardedPort = Static<typeof ForwardedPort>;

export const ServiceStatus = Type.Object({
  replicas: Type.Optional(Type.Integer({ minimum: 0, description: 'pods created (the scale subresource)' })),
  readyReplicas: Type.Optional(Type.Integer({ minimum: 0, description: 'pods ready' })),
  availableReplicas: Type.Optional(Type.Integer({ minimum: 0, description: 'pods available' })),
  ready: Type.Optional(Type.String({ description: 'readyReplicas/count, e.g. 1/2 (for kubectl get)' })),
  uris: Type.Optional(Type.Array(Type.String(), { description: 'where the service is reachable' })),
  forwardedPorts: Type.Optional(Type.Array(ForwardedPort, { maxItems: 256, description: 'global non-HTTP ports and the node ports they are reached on' })),
  selector: Type.Optional(Type.String({ description: 'label selector of the pods (the scale subresource)' })),
  conditions: Type.Optional(Conditions()),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, description: 'metadata.generation the status describes' })),
});
export type ServiceStatus = Static<typeof ServiceStatus>;

export const Service = KindEnvelope(SERVICE_KIND, ServiceSpec, ServiceStatus, 'One service of a lease');
export type Service = Static<typeof Service>;
