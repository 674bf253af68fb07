/**
 * The Service CR's status, computed once per reconcile from what was observed: the workload's own
 * status (replicas, rollout), the URIs and selector of the built children, and the problem that
 * stopped the reconcile, if any. Pure: the reconciler compares the result with the live status and
 * writes only a difference.
 */
import type { V1DeploymentCondition } from '@kubernetes/client-node';
import type { ForwardedPort, ServiceStatus } from '../../api/service.ts';
import { setCondition, type Condition, type ConditionUpdate } from '../../runtime/index.ts';
import type { DeploymentObject, KubeServiceObject, StatefulSetObject } from './kinds.ts';

export const READY = 'Ready';
export const PROGRESSING = 'Progressing';
export const DEGRADED = 'Degraded';

/** Reasons, CamelCase as metav1.Condition requires. */
export const Reason = {
  allReplicasReady: 'AllReplicasReady',
  replicasNotReady: 'ReplicasNotReady',
  workloadMissing: 'WorkloadMissing',
  rollingOut: 'RollingOut',
  rolloutComplete: 'RolloutComplete',
  progressDeadlineExceeded: 'ProgressDeadlineExceeded',
  asExpected: 'AsExpected',
  invalidSpec: 'InvalidSpec',
  leaseLabelsMissing: 'LeaseLabelsMissing',
  credentialsUnavailable: 'CredentialsUnavailable',
  applyFailed: 'ApplyFailed',
  hostnameInUse: 'HostnameInUse',
} as const;

/** Why the reconcile could not converge the children. */
export interface Problem {
  reason: string;
  message: string;
  /**
   * Nothing was applied and nothing will be until the input changes (bad spec, missing lease
   * labels or credentials). A non-blocking problem is an API error retried with backoff.
   */
  blocking: boolean;
}

export type LiveWorkload = ({ kind?: 'Deployment' } & DeploymentObject) | ({ kind?: 'StatefulSet' } & StatefulSetObject);

export interface Observation {
  generation: number | undefined;
  /** spec.count of the Service CR. */
  count: number;
  /** The live (or just applied) Deployment or StatefulSet, if any. */
  workload: LiveWorkload | undefined;
  isStatefulSet: boolean;
  uris: string[] | undefined;
  /** The NodePort Service's allocations; undefined = not looked at (the live status keeps its own). */
  forwardedPorts?: ForwardedPort[];
  selector: string | undefined;
  problem: Problem | undefined;
  /** Hosts another lease holds, so not routed (sorted). */
  refusedHosts?: string[];
}

export interface RolloutState {
  replicas: number;
  ready: number;
  available: number;
  /** The workload controller has seen the current spec and every replica runs it. */
  complete: boolean;
  /** Set when the Deployment gave up progressing (its progress deadline passed). */
  stuck: string | undefined;
  message: string;
}

/** `kubectl rollout status`'s rules, read from the workload's status. */
export function rolloutState(w: LiveWorkload, isStatefulSet: boolean): RolloutState {
  const st = w.status ?? {};
  const want = w.spec?.replicas ?? 1;
  const replicas = st.replicas ?? 0;
  const ready = st.readyReplicas ?? 0;
  const available = st.availableReplicas ?? 0;
  const updated = st.updatedReplicas ?? 0;
  const observed = (st.observedGeneration ?? 0) >= (w.metadata.generation ?? 0);
  let complete: boolean;
  let stuck: string | undefined;
  if (isStatefulSet) {
    const s = (w as StatefulSetObject).status;
    const revisionsMatch = !s?.updateRevision || s.updateRevision === s.currentRevision;
    complete = observed && updated >= want && ready >= want && (want === 0 || revisionsMatch);
  } else {
    complete = observed && updated >= want && replicas <= updated && available >= updated;
    const progressing = ((w as DeploymentObject).status?.conditions ?? []).find((c: V1DeploymentCondition) => c.type === 'Progressing');
    if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
      stuck = progressing.message ?? 'the rollout exceeded its progress deadline';
    }
  }
  const message = complete ? `${want}/${want} replicas up to date` : `${updated}/${want} replicas updated, ${available} available`;
  return { replicas, ready, available, complete, stuck, message };
}

/** The new status; conditions keep their lastTransitionTime unless their status flips. */
export function computeStatus(old: ServiceStatus | undefined, obs: Observation, now: Date = new Date()): ServiceStatus {
  const rollout = obs.workload ? rolloutState(obs.workload, obs.isStatefulSet) : undefined;
  const replicas = rollout?.replicas ?? 0;
  const ready = rollout?.ready ?? 0;
  const problem = obs.problem;
  const generation = obs.generation;

  let conditions: Condition[] = [...((old?.conditions ?? []) as Condition[])];
  const set = (u: Omit<ConditionUpdate, 'observedGeneration'>) => {
    conditions = setCondition(conditions, { ...u, ...(generation !== undefined ? { observedGeneration: generation } : {}) }, now);
  };

  const readyMessage = `${ready}/${obs.count} replicas ready`;
  if (problem?.blocking) set({ type: READY, status: 'False', reason: problem.reason, message: `${readyMessage}; ${problem.message}` });
  else if (!obs.workload) set({ type: READY, status: 'False', reason: Reason.workloadMissing, message: 'the workload does not exist yet' });
  else if (ready >= obs.count && (obs.workload.spec?.replicas ?? 1) === obs.count) set({ type: READY, status: 'True', reason: Reason.allReplicasReady, message: readyMessage });
  else set({ type: READY, status: 'False', reason: Reason.replicasNotReady, message: readyMessage });

  if (problem?.blocking) set({ type: PROGRESSING, status: 'False', reason: problem.reason, message: 'nothing is applied until the problem is fixed' });
  else if (!rollout || !rollout.complete) set({ type: PROGRESSING, status: 'True', reason: Reason.rollingOut, message: rollout?.message ?? 'creating the workload' });
  else set({ type: PROGRESSING, status: 'False', reason: Reason.rolloutComplete, message: rollout.message });

  if (problem) set({ type: DEGRADED, status: 'True', reason: problem.reason, message: problem.message });
  else if (obs.refusedHosts?.length) set({ type: DEGRADED, status: 'True', reason: Reason.hostnameInUse, message: hostnameInUseMessage(obs.refusedHosts) });
  else if (rollout?.stuck) set({ type: DEGRADED, status: 'True', reason: Reason.progressDeadlineExceeded, message: rollout.stuck });
  else set({ type: DEGRADED, status: 'False', reason: Reason.asExpected, message: '' });

  // observedGeneration says "this status describes that spec": true when the spec was fully
  // evaluated (applied, or refused as invalid), not after an API error that will be retried.
  const observedGeneration = problem && !problem.blocking ? old?.observedGeneration : generation;
  const uris = obs.uris ?? old?.uris;
  const forwardedPorts = obs.forwardedPorts ?? old?.forwardedPorts;
  const selector = obs.selector ?? old?.selector;
  return {
    replicas,
    readyReplicas: ready,
    availableReplicas: rollout?.available ?? 0,
    ready: `${ready}/${obs.count}`,
    ...(uris ? { uris } : {}),
    ...(forwardedPorts?.length ? { forwardedPorts } : {}),
    ...(selector ? { selector } : {}),
    conditions,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
}

/**
 * What a NodePort Service forwards, as the tenant API reports it: each port whose node port the API
 * server allocated (every port, once applied), in the Service's order. The container port is the
 * target port (the builders always set a number); a protocol Akash has no name for is left out.
 */
export function forwardedPortsOf(service: KubeServiceObject | undefined): ForwardedPort[] {
  const out: ForwardedPort[] = [];
  for (const p of service?.spec?.ports ?? []) {
    const proto = p.protocol ?? 'TCP';
    if (!p.nodePort || (proto !== 'TCP' && proto !== 'UDP')) continue;
    out.push({ port: typeof p.targetPort === 'number' ? p.targetPort : p.port, externalPort: p.nodePort, proto });
  }
  return out;
}

/** Tenants learn that a host is taken, not by whom. */
export function hostnameInUseMessage(hosts: readonly string[]): string {
  const list = hosts.join(', ');
  return `${hosts.length === 1 ? 'hostname' : 'hostnames'} ${list} ${hosts.length === 1 ? 'is' : 'are'} in use by another lease on this provider and not routed; ${hosts.length === 1 ? 'it is' : 'they are'} routed here once released`;
}

export interface Transition {
  type: 'Normal' | 'Warning';
  reason: string;
  note: string;
}

/** Events worth telling a person: a problem appearing or changing, recovery, readiness flips. */
export function transitions(before: readonly Condition[] | undefined, after: readonly Condition[]): Transition[] {
  const find = (list: readonly Condition[] | undefined, type: string) => list?.find((c) => c.type === type);
  const out: Transition[] = [];
  const oldDegraded = find(before, DEGRADED);
  const newDegraded = find(after, DEGRADED);
  if (newDegraded?.status === 'True') {
    if (oldDegraded?.status !== 'True' || oldDegraded.reason !== newDegraded.reason || oldDegraded.message !== newDegraded.message) {
      out.push({ type: 'Warning', reason: newDegraded.reason, note: newDegraded.message });
    }
  } else if (oldDegraded?.status === 'True') {
    out.push({ type: 'Normal', reason: 'Recovered', note: `no longer degraded (was ${oldDegraded.reason})` });
  }
  const oldReady = find(before, READY);
  const newReady = find(after, READY);
  if (newReady && (oldReady?.status === 'True') !== (newReady.status === 'True')) {
    out.push(newReady.status === 'True' ? { type: 'Normal', reason: 'Ready', note: newReady.message } : { type: 'Normal', reason: 'NotReady', note: newReady.message });
  }
  return out;
}
