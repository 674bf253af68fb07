/** One ResourceRef per kind the operator reads or writes; no discovery calls at run time. */
import { API_VERSION } from '../api/common.ts';
import type { ResourceRef } from '../runtime/index.ts';

const ref = (apiVersion: string, kind: string, plural: string, namespaced: boolean): ResourceRef => ({ apiVersion, kind, plural, namespaced });

export const LeaseRef = ref(API_VERSION, 'Lease', 'leases', false);
export const ManifestRef = ref(API_VERSION, 'Manifest', 'manifests', false);
export const ServiceCrRef = ref(API_VERSION, 'Service', 'services', true);
export const TenantRoleRef = ref(API_VERSION, 'TenantRole', 'tenantroles', true);
export const TenantRoleBindingRef = ref(API_VERSION, 'TenantRoleBinding', 'tenantrolebindings', true);
export const HostnameClaimRef = ref(API_VERSION, 'HostnameClaim', 'hostnameclaims', false);

export const NamespaceRef = ref('v1', 'Namespace', 'namespaces', false);
export const SecretRef = ref('v1', 'Secret', 'secrets', true);
export const ConfigMapRef = ref('v1', 'ConfigMap', 'configmaps', true);
export const KubeServiceRef = ref('v1', 'Service', 'services', true);
export const ResourceQuotaRef = ref('v1', 'ResourceQuota', 'resourcequotas', true);
export const LimitRangeRef = ref('v1', 'LimitRange', 'limitranges', true);
export const PodRef = ref('v1', 'Pod', 'pods', true);
export const DeploymentRef = ref('apps/v1', 'Deployment', 'deployments', true);
export const StatefulSetRef = ref('apps/v1', 'StatefulSet', 'statefulsets', true);
export const NetworkPolicyRef = ref('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true);
export const IngressRef = ref('networking.k8s.io/v1', 'Ingress', 'ingresses', true);
export const HTTPRouteRef = ref('gateway.networking.k8s.io/v1', 'HTTPRoute', 'httproutes', true);
export const CustomResourceDefinitionRef = ref('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', false);
