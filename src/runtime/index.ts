/** The controller runtime's public surface. Generic: it knows no Akash kind. See README.md. */
export { KubeClient, type ApplyOptions, type DeleteOptions, type JsonPatchOp, type KubeClientOptions, type ListOptions, type ObjectTarget, type WatchOptions } from './client.ts';
export { deepEqual, containsDesired } from './compare.ts';
export { findCondition, isConditionTrue, removeCondition, rfc3339, setCondition, type Condition, type ConditionStatus, type ConditionUpdate } from './conditions.ts';
export { Controller, generationChanged, type ControllerOptions, type ReconcileContext, type ReconcileResult, type Reconciler, type WatchSource } from './controller.ts';
export { ApiError, TerminalError, errorMessage, isConflict, isGone, isNotFound, type ApiStatus } from './errors.ts';
export { EventRecorder, EventRef, microTime, type EventInput, type EventRecorderOptions } from './events.ts';
export { addFinalizerPatch, ensureFinalizer, hasFinalizer, removeFinalizer, removeFinalizerPatch, withFinalizer, type FinalizerSteps } from './finalizers.ts';
export { CoordinationLeaseRef, LeaderElector, checkDurations, leaderIdentity, type CoordinationLease, type LeaderCallbacks, type LeaderElectionRecord, type LeaderElectorOptions } from './leader-election.ts';
export { Informer, stripManagedFields, type InformerEvent, type InformerHandler, type InformerOptions } from './informer.ts';
export { createLogger, silentLogger, type Logger, type LoggerOptions } from './log.ts';
export { Manager, type InformerSelector, type ManagerOptions } from './manager.ts';
export { Metrics, type MetricsOptions } from './metrics.ts';
export { ItemExponentialBackoff, MaxOfRateLimiter, TokenBucket, backoffDelay, defaultControllerRateLimiter, type BackoffOptions, type RateLimiter } from './rate-limit.ts';
export { controllerReference, groupOf, objectKey, parseKey, resourcePath, type KubeList, type KubeObject, type ObjectMeta, type OwnerReference, type ResourceRef } from './resource.ts';
export { startOpsServer, type Check, type OpsServer, type OpsServerOptions } from './server.ts';
export { Store, type ListFilter } from './store.ts';
export { kubeConfigTransport, type HttpRequest, type HttpResponse, type KubeConfigTransportOptions, type Transport } from './transport.ts';
export { WorkQueue, type WorkQueueOptions } from './workqueue.ts';
