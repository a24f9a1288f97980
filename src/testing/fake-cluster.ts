// An in-memory stand-in for core/ports.ts, for reconcileSchedule's unit tests: it keeps objects like a cache,
// records every write, and can be told to fail a call. Imported only by *.test.ts.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { ScanRun, ScanRunStatus, ScanSchedule, ScanScheduleStatus } from '../api/types.ts';
import { ConflictError } from '../core/errors.ts';
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
  /** Makes the next createRun throw this. */
  createRunError: Error | undefined;
  /**
   * What a lagging cache holds in place of the stored run (keys namespace/name): runsOf hands out this older
   * copy, while readRun and the status writes see the stored one, as the API server would.
   */
  readonly cachedRuns = new Map<string, ScanRun>();
  /** Jobs the API server has that the cache has not seen (keys namespace/name): getJob misses them, readJob finds them. */
  readonly uncachedJobs = new Map<string, V1Job>();
  #uid = 0;
  #resourceVersion = 0;

  #nextVersion(): string {
    this.#resourceVersion += 1;
    return String(this.#resourceVersion);
  }

  /** Optimistic concurrency as the API server does it: a write from an older read is a conflict. */
  #checkVersion(
    stored: { metadata: { resourceVersion?: string } },
    read: { metadata: { resourceVersion?: string } },
  ): void {
    const want = read.metadata.resourceVersion;
    if (
      want !== undefined &&
      stored.metadata.resourceVersion !== undefined &&
      want !== stored.metadata.resourceVersion
    ) {
      throw new ConflictError(`the object has been modified (read at ${want}, now ${stored.metadata.resourceVersion})`);
    }
  }

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
      .map((run) => structuredClone(this.cachedRuns.get(keyOf(run.metadata.namespace, run.metadata.name)) ?? run));
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
    if (this.createRunError !== undefined) {
      const error = this.createRunError;
      this.createRunError = undefined;
      throw error;
    }
    if (this.runs.has(key)) return 'already-exists';
    const created = {
      ...structuredClone(run),
      metadata: { ...run.metadata, uid: `run-uid-${++this.#uid}`, resourceVersion: this.#nextVersion() },
    };
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
    if (this.jobs.has(key) || this.uncachedJobs.has(key)) return 'already-exists';
    this.jobs.set(key, { ...structuredClone(job), metadata: { ...job.metadata, uid: `job-uid-${++this.#uid}` } });
    return 'created';
  }

  async readJob(key: ObjectKey): Promise<V1Job | undefined> {
    const k = keyOf(key.namespace, key.name);
    this.writes.push(`readJob ${k}`);
    return structuredClone(this.jobs.get(k) ?? this.uncachedJobs.get(k));
  }

  async readRun(key: ObjectKey): Promise<ScanRun | undefined> {
    return structuredClone(this.runs.get(keyOf(key.namespace, key.name)));
  }

  async deleteJob(key: ObjectKey): Promise<void> {
    this.writes.push(`deleteJob ${keyOf(key.namespace, key.name)}`);
    this.jobs.delete(keyOf(key.namespace, key.name));
  }

  async deleteRun(key: ObjectKey): Promise<void> {
    this.writes.push(`deleteRun ${keyOf(key.namespace, key.name)}`);
    this.runs.delete(keyOf(key.namespace, key.name));
  }

  async updateRunStatus(run: ScanRun, status: ScanRunStatus): Promise<ScanRun> {
    const key = keyOf(run.metadata.namespace, run.metadata.name);
    this.writes.push(`updateRunStatus ${key} ${status.phase ?? ''}`);
    const stored = this.runs.get(key);
    if (stored === undefined) return run;
    this.#checkVersion(stored, run);
    stored.status = structuredClone(status);
    stored.metadata.resourceVersion = this.#nextVersion();
    return structuredClone(stored);
  }

  async updateScheduleStatus(schedule: ScanSchedule, status: ScanScheduleStatus): Promise<void> {
    const key = keyOf(schedule.metadata.namespace, schedule.metadata.name);
    this.writes.push(`updateScheduleStatus ${key}`);
    const stored = this.schedules.get(key);
    if (stored === undefined) return;
    this.#checkVersion(stored, schedule);
    stored.status = structuredClone(status);
    stored.metadata.resourceVersion = this.#nextVersion();
  }

  recordEvent(regarding: ScanSchedule | ScanRun, event: ClusterEvent): void {
    this.events.push({ regarding: keyOf(regarding.metadata.namespace, regarding.metadata.name), event });
  }
}
