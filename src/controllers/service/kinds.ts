/**
 * The child kinds as the informers cache them: raw JSON (timestamps are strings), typed by
 * client-node's models for the fields below metadata.
 */
import type { V1Deployment, V1Ingress, V1Secret, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { Service } from '../../api/service.ts';
import type { KubeObject } from '../../runtime/index.ts';
import type { HTTPRoute } from '../../workloads/routes.ts';

type Raw<T> = KubeObject & Omit<T, 'apiVersion' | 'kind' | 'metadata'>;

export type ServiceCr = KubeObject & Pick<Service, 'spec' | 'status'>;
export type DeploymentObject = Raw<V1Deployment>;
export type StatefulSetObject = Raw<V1StatefulSet>;
export type KubeServiceObject = Raw<V1Service>;
export type IngressObject = Raw<V1Ingress>;
export type HTTPRouteObject = Raw<HTTPRoute>;
export type SecretObject = Raw<V1Secret>;

export type { DesiredChild } from '../apply.ts';
