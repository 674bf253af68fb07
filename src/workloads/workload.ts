/** The workload of a service: a Deployment, or a StatefulSet when a volume is persistent. */
import type { V1Deployment, V1PersistentVolumeClaim, V1StatefulSet } from '@kubernetes/client-node';
import { serviceLabels, serviceSelector } from './labels.ts';
import { volumeName } from './names.ts';
import { planService, type ServiceInput, type ServicePlan } from './plan.ts';
import { buildPodTemplate } from './pod.ts';
import { decimalQuantity } from './quantity.ts';

export type Workload = (V1Deployment & { kind: 'Deployment' }) | (V1StatefulSet & { kind: 'StatefulSet' });

export function buildWorkload(input: ServiceInput): Workload {
  return workloadFromPlan(planService(input));
}

export function workloadFromPlan(plan: ServicePlan): Workload {
  const metadata = { name: plan.name, namespace: plan.namespace, labels: serviceLabels(plan.leaseId, plan.name) };
  const selector = { matchLabels: serviceSelector(plan.leaseId, plan.name) };
  const template = buildPodTemplate(plan);
  if (!plan.stateful) {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: plan.spec.count,
        selector,
        // As the Go provider: never more pods than leased, even during a rollout.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
        revisionHistoryLimit: 10,
        template,
      },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata,
    spec: {
      replicas: plan.spec.count,
      selector,
      serviceName: plan.name,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 1,
      template,
      volumeClaimTemplates: plan.resources.volumes.filter((v) => v.kind === 'persistent').map((v): V1PersistentVolumeClaim => ({
        metadata: { name: volumeName(plan.name, v.name), labels: serviceLabels(plan.leaseId, plan.name) },
        spec: {
          accessModes: ['ReadWriteOnce'],
          volumeMode: 'Filesystem',
          resources: { requests: { storage: decimalQuantity(v.bytes) } },
          ...(v.storageClass ? { storageClassName: v.storageClass } : {}),
        },
      })),
    },
  };
}
