import { describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../api/service.ts';
import type { KubeServiceObject } from './kinds.ts';
import { computeStatus, forwardedPortsOf, rolloutState, transitions, type Observation, type LiveWorkload } from './status.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:05:00Z');

function deployment(spec: number, status: Record<string, unknown>, generation = 2): LiveWorkload {
  return { kind: 'Deployment', metadata: { name: 'web', generation }, spec: { replicas: spec, selector: {}, template: {} }, status } as LiveWorkload;
}

function obs(over: Partial<Observation> = {}): Observation {
  return { generation: 3, count: 2, workload: undefined, isStatefulSet: false, uris: ['a.example.com'], selector: 'x=y', problem: undefined, ...over };
}

const cond = (s: ServiceStatus, type: string) => s.conditions?.find((c) => c.type === type);

describe('rolloutState', () => {
  it('a Deployment is complete only when it observed the spec and every replica is updated and available', () => {
    expect(rolloutState(deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }), false).complete).toBe(true);
    expect(rolloutState(deployment(2, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }), false).complete).toBe(false);
    expect(rolloutState(deployment(2, { observedGeneration: 2, replicas: 3, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }), false).complete).toBe(false);
    expect(rolloutState(deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 }), false)).toMatchObject({ complete: false, message: '2/2 replicas updated, 1 available' });
  });

  it('a StatefulSet is complete when its current revision is the update revision', () => {
    const sts = (cur: string) => ({ kind: 'StatefulSet', metadata: { name: 'web', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, currentRevision: cur, updateRevision: 'web-2' } }) as LiveWorkload;
    expect(rolloutState(sts('web-1'), true).complete).toBe(false);
    expect(rolloutState(sts('web-2'), true).complete).toBe(true);
  });

  it('reports a Deployment past its progress deadline', () => {
    const stuck = deployment(1, { observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-1" has timed out progressing.' }] });
    expect(rolloutState(stuck, false).stuck).toBe('ReplicaSet "web-1" has timed out progressing.');
  });
});

describe('computeStatus', () => {
  it('counts replicas from the workload and sets the three conditions with observedGeneration', () => {
    const s = computeStatus(undefined, obs({ workload: deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }) }), T0);
    expect(s).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, ready: '2/2', uris: ['a.example.com'], selector: 'x=y', observedGeneration: 3 });
    expect(cond(s, 'Ready')).toEqual({ type: 'Ready', status: 'True', reason: 'AllReplicasReady', message: '2/2 replicas ready', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 3 });
    expect(cond(s, 'Progressing')).toMatchObject({ status: 'False', reason: 'RolloutComplete' });
    expect(cond(s, 'Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected' });
  });

  it('is not Ready while the workload still runs another replica count', () => {
    const s = computeStatus(undefined, obs({ count: 1, workload: deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }) }), T0);
    expect(cond(s, 'Ready')?.status).toBe('False');
  });

  it('an unchanged observation yields a deep-equal status (lastTransitionTime kept)', () => {
    const o = obs({ workload: deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 }) });
    const first = computeStatus(undefined, o, T0);
    expect(computeStatus(first, o, T1)).toEqual(first);
  });

  it('a blocking problem: Ready and Progressing False with its reason, Degraded True, old URIs kept', () => {
    const old = computeStatus(undefined, obs(), T0);
    const s = computeStatus(old, obs({ uris: undefined, selector: undefined, generation: 4, problem: { reason: 'InvalidSpec', message: 'spec is invalid: x: bad', blocking: true } }), T1);
    expect(cond(s, 'Degraded')).toMatchObject({ status: 'True', reason: 'InvalidSpec', message: 'spec is invalid: x: bad', observedGeneration: 4 });
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(cond(s, 'Progressing')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(s).toMatchObject({ uris: ['a.example.com'], selector: 'x=y', observedGeneration: 4 });
  });

  it('a retried API error keeps the previous observedGeneration', () => {
    const old = computeStatus(undefined, obs(), T0);
    const s = computeStatus(old, obs({ generation: 4, problem: { reason: 'ApplyFailed', message: 'apply Ingress x: 422', blocking: false } }), T1);
    expect(s.observedGeneration).toBe(3);
    expect(cond(s, 'Degraded')).toMatchObject({ status: 'True', reason: 'ApplyFailed' });
  });

  it('a Deployment past its progress deadline makes the Service Degraded', () => {
    const stuck = deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'timed out' }] });
    expect(cond(computeStatus(undefined, obs({ workload: stuck }), T0), 'Degraded')).toMatchObject({ status: 'True', reason: 'ProgressDeadlineExceeded', message: 'timed out' });
  });
});

describe('transitions', () => {
  it('tells about a problem once, its recovery, and readiness flips', () => {
    const ok = computeStatus(undefined, obs({ workload: deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }) }), T0);
    const bad = computeStatus(ok, obs({ problem: { reason: 'InvalidSpec', message: 'm', blocking: true } }), T1);
    expect(transitions(undefined, ok.conditions ?? [])).toEqual([{ type: 'Normal', reason: 'Ready', note: '2/2 replicas ready' }]);
    expect(transitions(ok.conditions, bad.conditions ?? []).map((t) => `${t.type} ${t.reason}`)).toEqual(['Warning InvalidSpec', 'Normal NotReady']);
    expect(transitions(bad.conditions, bad.conditions ?? [])).toEqual([]);
    expect(transitions(bad.conditions, ok.conditions ?? []).map((t) => t.reason)).toEqual(['Recovered', 'Ready']);
  });
});

describe('forwardedPortsOf', () => {
  const np = (ports: object[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-np' }, spec: { type: 'NodePort', ports } }) as KubeServiceObject;

  it('maps each allocated port to container port, node port and protocol, in the Service order', () => {
    expect(forwardedPortsOf(np([
      { name: '1-5432', port: 5432, targetPort: 5432, protocol: 'TCP', nodePort: 31000 },
      { name: '2-53', port: 53, targetPort: 5353, protocol: 'UDP', nodePort: 30053 },
    ]))).toEqual([
      { port: 5432, externalPort: 31000, proto: 'TCP' },
      { port: 5353, externalPort: 30053, proto: 'UDP' },
    ]);
  });

  it('leaves out ports with no node port yet and protocols Akash has no name for; TCP when unset', () => {
    expect(forwardedPortsOf(np([
      { port: 22, targetPort: 22 },
      { port: 23, targetPort: 23, nodePort: 30023 },
      { port: 9, targetPort: 9, protocol: 'SCTP', nodePort: 30009 },
    ]))).toEqual([{ port: 23, externalPort: 30023, proto: 'TCP' }]);
  });

  it('takes the service port when the target port is a name, and nothing from no Service', () => {
    expect(forwardedPortsOf(np([{ port: 8443, targetPort: 'https', protocol: 'TCP', nodePort: 30443 }]))).toEqual([{ port: 8443, externalPort: 30443, proto: 'TCP' }]);
    expect(forwardedPortsOf(undefined)).toEqual([]);
  });
});

describe('computeStatus forwardedPorts', () => {
  const base = { generation: 1, count: 1, workload: undefined, isStatefulSet: false, uris: undefined, selector: undefined, problem: undefined };
  const fp = [{ port: 22, externalPort: 30022, proto: 'TCP' as const }];

  it('keeps the live value when the reconcile did not look (a blocking problem), drops it when none is left', () => {
    const old = computeStatus(undefined, { ...base, forwardedPorts: fp });
    expect(old.forwardedPorts).toEqual(fp);
    expect(computeStatus(old, base).forwardedPorts).toEqual(fp);
    expect(computeStatus(old, { ...base, forwardedPorts: [] })).not.toHaveProperty('forwardedPorts');
  });
});
