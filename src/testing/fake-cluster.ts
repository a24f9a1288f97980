// An in-memory stand-in for core/ports.ts, for reconcileSchedule's unit tests: it keeps objects like a cache,
// records every write, and can be told to fail a call. Imported only by *.test.ts.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { ScanRun, ScanRunStatus, ScanSchedule, ScanScheduleStatus } from '../api/types.ts';
import type { ClusterEvent, ClusterReader, ClusterWriter, ObjectKey } from '../core/ports.ts';

const keyOf = (namespace: string | undefined, name: string | undefined): string => `${namespace ?? ''}/${name ?? ''}`;

export class FakeCluster implements ClusterReader, ClusterWriter {
  readonly schedules = new Map<string, ScanSchedule>();
  readonly runs = new Map<string, ScanRun>();
  readonly jobs = new Map<string, V1Job>();
  readonly pods: V1Pod[] = [];
  readonly writes: string[] = [];
  readonly events: { regarding: string; event: ClusterEvent }[] = [];
  /** Runs the cache has not seen yet (keys namespace/name): runsOf leaves them out, as a lagging informer would. */
  readonly unseenRuns = new Set<string>();
  /** Makes the next createJob throw this. */
  createJobError: Error | undefined;
  #uid = 0;

  addSchedule(schedule: ScanSchedule): this {
    this.schedules.set(keyOf(schedule.metadata.namespace, schedule.metadata.name), structuredClone(schedule));
    return this;
  }

  schedule(key: ObjectKey): ScanSchedule | undefined {
    return this.schedules.get(keyOf(key.namespace, key.name));
  }

  getSchedule(key: ObjectKey): ScanSchedule | undefined {
    return structuredClone(this.schedule(key));
  }

  runsOf(schedule: ScanSchedule): ScanRun[] {
    return [...this.runs.values()]
      .filter((run) => run.metadata.namespace === schedule.metadata.namespace)
      .filter((run) => !this.unseenRuns.has(keyOf(run.metadata.namespace, run.metadata.name)))
      .map((run) => structuredClone(run));
  }

  getJob(key: ObjectKey): V1Job | undefined {
    return this.jobs.get(keyOf(key.namespace, key.name));
  }

  podsOf(job: V1Job): V1Pod[] {
    return this.pods.filter((pod) => pod.metadata?.ownerReferences?.some((ref) => ref.uid === job.metadata?.uid));
  }

  async createRun(run: ScanRun): Promise<ScanRun | 'already-exists'> {
    const key = keyOf(run.metadata.namespace, run.metadata.name);
    this.writes.push(`createRun ${key}`);
    if (this.runs.has(key)) return 'already-exists';
    const created = { ...structuredClone(run), metadata: { ...run.metadata, uid: `run-uid-${++this.#uid}` } };
    this.runs.set(key, created);
    return structuredClone(created);
  }

  async createJob(job: V1Job): Promise<'created' | 'already-exists'> {
    const key = keyOf(job.metadata?.namespace, job.metadata?.name);
    this.writes.push(`createJob ${key}`);
    if (this.createJobError !== undefined) {
      const error = this.createJobError;
      this.createJobError = undefined;
      throw error;
    }
    if (this.jobs.has(key)) return 'already-exists';
    this.jobs.set(key, { ...structuredClone(job), metadata: { ...job.metadata, uid: `job-uid-${++this.#uid}` } });
    return 'created';
  }

  async deleteJob(key: ObjectKey): Promise<void> {
    this.writes.push(`deleteJob ${keyOf(key.namespace, key.name)}`);
    this.jobs.delete(keyOf(key.namespace, key.name));
  }

  async deleteRun(key: ObjectKey): Promise<void> {
    this.writes.push(`deleteRun ${keyOf(key.namespace, key.name)}`);
    this.runs.delete(keyOf(key.namespace, key.name));
  }

  async updateRunStatus(run: ScanRun, status: ScanRunStatus): Promise<void> {
    const key = keyOf(run.metadata.namespace, run.metadata.name);
    this.writes.push(`updateRunStatus ${key} ${status.phase ?? ''}`);
    const stored = this.runs.get(key);
    if (stored !== undefined) stored.status = structuredClone(status);
  }

  async updateScheduleStatus(schedule: ScanSchedule, status: ScanScheduleStatus): Promise<void> {
    const key = keyOf(schedule.metadata.namespace, schedule.metadata.name);
    this.writes.push(`updateScheduleStatus ${key}`);
    const stored = this.schedules.get(key);
    if (stored !== undefined) stored.status = structuredClone(status);
  }

  recordEvent(regarding: ScanSchedule | ScanRun, event: ClusterEvent): void {
    this.events.push({ regarding: keyOf(regarding.metadata.namespace, regarding.metadata.name), event });
  }
}
