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
import type { ResilientInformer } from './resilient-informer.ts';

export interface KubeClusterParts {
  schedules: ResilientInformer<ScanSchedule>;
  runs: ResilientInformer<ScanRun>;
  jobs: ResilientInformer<V1Job>;
  pods: ResilientInformer<V1Pod>;
  objects: ScanObjects;
  batch: BatchV1Api;
  events: EventRecorder;
}

const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

export class KubeCluster implements ClusterReader, ClusterWriter {
  readonly #parts: KubeClusterParts;

  constructor(parts: KubeClusterParts) {
    this.#parts = parts;
  }

  getSchedule(key: ObjectKey): ScanSchedule | undefined {
    return this.#parts.schedules.get(key.namespace, key.name);
  }

  runsOf(schedule: ScanSchedule): ScanRun[] {
    const name = schedule.metadata.name;
    return this.#parts.runs
      .list(schedule.metadata.namespace)
      .filter((run) => run.metadata.labels?.[LABEL_SCHEDULE] === name);
  }

  getJob(key: ObjectKey): V1Job | undefined {
    return this.#parts.jobs.get(key.namespace, key.name);
  }

  podsOf(job: V1Job): V1Pod[] {
    const uid = job.metadata?.uid;
    const name = job.metadata?.name;
    return this.#parts.pods
      .list(job.metadata?.namespace)
      .filter(
        (pod) =>
          pod.metadata?.ownerReferences?.some((ref) => ref.uid === uid) === true ||
          pod.metadata?.labels?.[JOB_NAME_LABEL] === name,
      );
  }

  createRun(run: ScanRun): Promise<ScanRun | 'already-exists'> {
    return this.#parts.objects.createRun(run);
  }

  async createJob(job: V1Job): Promise<'created' | 'already-exists'> {
    try {
      await this.#parts.batch.createNamespacedJob({ namespace: job.metadata?.namespace ?? '', body: job });
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

  updateRunStatus(run: ScanRun, status: ScanRunStatus): Promise<ScanRun> {
    return this.#parts.objects.patchRunStatus(run, status);
  }

  updateScheduleStatus(schedule: ScanSchedule, status: ScanScheduleStatus): Promise<void> {
    return this.#parts.objects.patchScheduleStatus(schedule, status);
  }

  recordEvent(regarding: ScanSchedule | ScanRun, event: ClusterEvent): void {
    this.#parts.events.record(regarding, event);
  }
}
