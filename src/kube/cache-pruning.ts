// What the informer caches keep of each object. With thousands of schedules, runs, Jobs and pods cached, fields
// nothing of ours reads (server-side apply bookkeeping, whole pod specs) were most of the controller's memory.
// Pruning happens in place: client-node's ListWatch keeps the same object in its own cache, so both shrink.
// Fields are dropped by setting them to undefined, never with `delete`: the API server sends a custom resource's
// keys sorted, so managedFields sits mid-object, and deleting a key that is not the last one turns the object into
// a hash table (V8's dictionary mode), 2–3× the size of the object it replaces (1,088 B against 480 B for a run's
// metadata and spec). JSON.stringify and every `?.` read treat an undefined field as absent.
import type { CachedObject } from './resilient-informer.ts';

/** metadata.managedFields: server-side apply bookkeeping, often the largest part of a small object. */
export function withoutManagedFields<T extends CachedObject>(object: T): T {
  const metadata = object.metadata as { managedFields?: unknown } | undefined;
  if (metadata?.managedFields !== undefined) metadata.managedFields = undefined;
  return object;
}

/**
 * What run-status (core/run-status.ts) and podsOf read of a pod, plus resourceVersion (the informer's
 * unchanged-object check). Anything core starts reading of a pod must be added here, or it reads undefined.
 */
const POD_METADATA_KEPT = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'labels',
  'ownerReferences',
  'creationTimestamp',
]);
const POD_STATUS_KEPT = new Set([
  'phase',
  'startTime',
  'reason',
  'message',
  'conditions',
  'containerStatuses',
  'initContainerStatuses',
]);

function keepOnly(record: Record<string, unknown> | undefined, kept: ReadonlySet<string>): void {
  if (record === undefined) return;
  for (const key of Object.keys(record)) if (!kept.has(key)) record[key] = undefined;
}

/** A pod reduced to the fields the controller reads: no spec, no annotations, no managedFields. */
export function keepPodStatusFields<T extends CachedObject>(pod: T): T {
  const object = pod as unknown as { metadata?: Record<string, unknown>; spec?: unknown; status?: unknown };
  keepOnly(object.metadata, POD_METADATA_KEPT);
  object.spec = undefined;
  if (object.status !== null && typeof object.status === 'object') {
    keepOnly(object.status as Record<string, unknown>, POD_STATUS_KEPT);
  }
  return pod;
}

/**
 * A Job without its pod template and managedFields. The controller built the template (jobForRun) and never reads
 * it back: run-status reads the Job's status, spec.activeDeadlineSeconds and metadata. The template is the
 * largest part of a Job, and the cache holds one Job per running scan.
 */
export function keepJobStatusFields<T extends CachedObject>(job: T): T {
  withoutManagedFields(job);
  const spec = (job as { spec?: { template?: unknown } }).spec;
  if (spec?.template !== undefined) spec.template = undefined;
  return job;
}

/**
 * The pruning for a collection path (see collectionPath): pods keep their status fields, Jobs lose their pod
 * template, and everything loses managedFields.
 */
export function pruneForCollection<T extends CachedObject>(path: string): (object: T) => T {
  if (/^\/api\/v1(\/namespaces\/[^/]+)?\/pods$/.test(path)) return keepPodStatusFields;
  if (/^\/apis\/batch\/v1(\/namespaces\/[^/]+)?\/jobs$/.test(path)) return keepJobStatusFields;
  return withoutManagedFields;
}

const IDENTITY_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion']);

/**
 * An object another shard owns, reduced to what identifies it. client-node's ListWatch keeps every watched object
 * in its own cache, keyed by name and namespace; this is all it then holds of one that is not ours.
 */
export function shrinkToIdentity<T extends CachedObject>(object: T): T {
  const record = object as unknown as Record<string, unknown>;
  for (const key of Object.keys(record))
    if (key !== 'apiVersion' && key !== 'kind' && key !== 'metadata') record[key] = undefined;
  keepOnly(record.metadata as Record<string, unknown> | undefined, IDENTITY_METADATA);
  return object;
}
