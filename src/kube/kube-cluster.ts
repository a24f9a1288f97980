// core's cluster ports over the real thing: reads come from the informer caches (cheap, possibly a little
// stale: deterministic run names make a stale read harmless), writes go to the API server.
import type { BatchV1Api, V1Job, V1Pod } from '@kubernetes/client-node';
import {
  LABEL_SCHEDULE,
  type ScanRun,
  type ScanRunStatus,
  type ScanSchedule,
  type ScanScheduleStatus,
} from '../api/types.ts';
import type { ClusterEvent, ClusterReader, ClusterWriter, ObjectKey } from '../core/ports.ts';
import { isAlreadyExists, isNotFound, toCoreError } from './api-errors.ts';
import type { ScanObjects } from './custom-objects.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { JsonWrites } from './json-writes.ts';
import { namespacedIndexKey, type ResilientInformer } from './resilient-informer.ts';

export interface KubeClusterParts {
  schedules: ResilientInformer<ScanSchedule>;
  runs: ResilientInformer<ScanRun>;
  jobs: ResilientInformer<V1Job>;
  pods: ResilientInformer<V1Pod>;
  objects: ScanObjects;
  batch: BatchV1Api;
  /** Creates Jobs as plain JSON (json-writes.ts); without it, through `batch`. */
  writes?: JsonWrites;
  events: EventRecorder;
}

const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
const RUNS_BY_SCHEDULE = 'schedule';
const PODS_BY_JOB = 'job';

/** A run under its namespace and schedule label. */
function runIndexKeys(run: ScanRun): string[] {
  const schedule = run.metadata.labels?.[LABEL_SCHEDULE];
  return schedule === undefined ? [] : [namespacedIndexKey(run.metadata.namespace, schedule)];
}

/** A pod under each Job uid that owns it and under its job-name label: podsOf matches either. */
function podIndexKeys(pod: V1Pod): string[] {
  const namespace = pod.metadata?.namespace;
  const keys = (pod.metadata?.ownerReferences ?? []).map((ref) => namespacedIndexKey(namespace, `uid:${ref.uid}`));
  const jobName = pod.metadata?.labels?.[JOB_NAME_LABEL];
  if (jobName !== undefined) keys.push(namespacedIndexKey(namespace, `name:${jobName}`));
  return keys;
}

export class KubeCluster implements ClusterReader, ClusterWriter {
  readonly #parts: KubeClusterParts;

  constructor(parts: KubeClusterParts) {
    this.#parts = parts;
    parts.runs.addIndex(RUNS_BY_SCHEDULE, runIndexKeys);
    parts.pods.addIndex(PODS_BY_JOB, podIndexKeys);
  }

  getSchedule(key: ObjectKey): ScanSchedule | undefined {
    return this.#parts.schedules.get(key.namespace, key.name);
  }

  runsOf(schedule: ScanSchedule): ScanRun[] {
    const name = schedule.metadata.name;
    if (name === undefined) return [];
    return this.#parts.runs.byIndex(RUNS_BY_SCHEDULE, namespacedIndexKey(schedule.metadata.namespace, name));
  }

  getJob(key: ObjectKey): V1Job | undefined {
    return this.#parts.jobs.get(key.namespace, key.name);
  }

  podsOf(job: V1Job): V1Pod[] {
    const { namespace, uid, name } = job.metadata ?? {};
    const owned =
      uid === undefined ? [] : this.#parts.pods.byIndex(PODS_BY_JOB, namespacedIndexKey(namespace, `uid:${uid}`));
    const named =
      name === undefined ? [] : this.#parts.pods.byIndex(PODS_BY_JOB, namespacedIndexKey(namespace, `name:${name}`));
    if (named.length === 0) return owned;
    if (owned.length === 0) return named;
    return [...new Set([...owned, ...named])];
  }

  // Each write tells its informer the version it produced (ownWrite): the echo of a write is not news to the
  // reconcile that made it.

  async createRun(run: ScanRun): Promise<ScanRun | 'already-exists'> {
    const created = await this.#parts.objects.createRun(run);
    if (created !== 'already-exists') this.#parts.runs.ownWrite(created);
    return created;
  }

  async createJob(job: V1Job): Promise<'created' | 'already-exists'> {
    const namespace = job.metadata?.namespace ?? '';
    try {
      const { writes } = this.#parts;
      const created =
        writes !== undefined
          ? ((await writes.send('POST', `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`, job)) as
              | V1Job
              | undefined)
          : await this.#parts.batch.createNamespacedJob({ namespace, body: job });
      if (created !== undefined) this.#parts.jobs.ownWrite(created);
      return 'created';
    } catch (error) {
      if (isAlreadyExists(error)) return 'already-exists';
      throw toCoreError(error, `creating Job ${job.metadata?.namespace}/${job.metadata?.name}`);
    }
  }

  async readJob(key: ObjectKey): Promise<V1Job | undefined> {
    try {
      return await this.#parts.batch.readNamespacedJob(key);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toCoreError(error, `reading Job ${key.namespace}/${key.name}`);
    }
  }

  readRun(key: ObjectKey): Promise<ScanRun | undefined> {
    return this.#parts.objects.getRun(key.namespace, key.name);
  }

  async deleteJob(key: ObjectKey): Promise<void> {
    try {
      // Background: the pods go with the Job, and the call does not wait for them.
      await this.#parts.batch.deleteNamespacedJob({ ...key, propagationPolicy: 'Background' });
    } catch (error) {
      if (isNotFound(error)) return;
      throw toCoreError(error, `deleting Job ${key.namespace}/${key.name}`);
    }
  }

  deleteRun(key: ObjectKey): Promise<void> {
    return this.#parts.objects.deleteRun(key.namespace, key.name);
  }

  async updateRunStatus(run: ScanRun, status: ScanRunStatus): Promise<ScanRun> {
    const written = await this.#parts.objects.patchRunStatus(run, status);
    this.#parts.runs.ownWrite(written);
    return written;
  }

  async updateScheduleStatus(schedule: ScanSchedule, status: ScanScheduleStatus): Promise<void> {
    const written = await this.#parts.objects.patchScheduleStatus(schedule, status);
    if (written !== undefined) this.#parts.schedules.ownWrite(written);
  }

  recordEvent(regarding: ScanSchedule | ScanRun, event: ClusterEvent): void {
    this.#parts.events.record(regarding, event);
  }
}
