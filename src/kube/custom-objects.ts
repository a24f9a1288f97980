// Typed calls for ScanSchedules and ScanRuns over client-node's CustomObjectsApi. Status goes through the
// status subresource as a merge patch (client-node defaults to JSON Patch, which cannot replace a whole map).
import {
  type CustomObjectsApi,
  type EventsV1Api,
  type EventsV1Event,
  type EventsV1EventList,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  GROUP,
  SCAN_RUN_PLURAL,
  SCAN_SCHEDULE_PLURAL,
  type ScanRun,
  type ScanRunStatus,
  type ScanSchedule,
  type ScanScheduleStatus,
  VERSION,
} from '../api/types.ts';
import { isAlreadyExists, isNotFound, toCoreError } from './api-errors.ts';
import { type JsonWrites, MERGE_PATCH_CONTENT } from './json-writes.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface List<T> {
  items: T[];
}

/** One page of a list, in the parameter names of client-node's list calls. */
export interface ListPage {
  labelSelector?: string;
  limit?: number;
  _continue?: string;
}

/** The `plural` objects of our group in `namespace` (every namespace when undefined): one page of them. */
export function listCustomObjects(
  api: CustomObjectsApi,
  plural: string,
  namespace: string | undefined,
  page: ListPage = {},
): Promise<unknown> {
  return namespace === undefined
    ? api.listClusterCustomObject({ group: GROUP, version: VERSION, plural, ...page })
    : api.listNamespacedCustomObject({ group: GROUP, version: VERSION, plural, namespace, ...page });
}

/** The API path of our `plural` objects in `namespace`, or of `name` there. */
function objectPath(plural: string, namespace: string, name?: string): string {
  const collection = `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
  return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
}

export class ScanObjects {
  readonly #api: CustomObjectsApi;
  readonly #writes: JsonWrites | undefined;

  /** `writes`: the controller's hot writes (create a run, patch a status) go as plain JSON (json-writes.ts). */
  constructor(api: CustomObjectsApi, writes?: JsonWrites) {
    this.#api = api;
    this.#writes = writes;
  }

  async listSchedules(namespace: string | undefined, labelSelector?: string): Promise<ScanSchedule[]> {
    const list = (await listCustomObjects(this.#api, SCAN_SCHEDULE_PLURAL, namespace, {
      labelSelector,
    })) as List<ScanSchedule>;
    return list.items;
  }

  /** Sets spec.suspend with a merge patch, as `kubectl patch --type merge` would. */
  async setSuspend(namespace: string, name: string, suspend: boolean): Promise<void> {
    await this.#api.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, plural: SCAN_SCHEDULE_PLURAL, namespace, name, body: { spec: { suspend } } },
      mergePatch,
    );
  }

  async getSchedule(namespace: string, name: string): Promise<ScanSchedule | undefined> {
    try {
      return (await this.#api.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: SCAN_SCHEDULE_PLURAL,
        namespace,
        name,
      })) as ScanSchedule;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async listRuns(namespace: string | undefined, labelSelector?: string): Promise<ScanRun[]> {
    const list = (await listCustomObjects(this.#api, SCAN_RUN_PLURAL, namespace, { labelSelector })) as List<ScanRun>;
    return list.items;
  }

  /** The created run, or 'already-exists'. */
  async createRun(run: ScanRun): Promise<ScanRun | 'already-exists'> {
    const namespace = run.metadata.namespace ?? 'default';
    try {
      if (this.#writes !== undefined) {
        return (await this.#writes.send('POST', objectPath(SCAN_RUN_PLURAL, namespace), run)) as ScanRun;
      }
      return (await this.#api.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: SCAN_RUN_PLURAL,
        namespace,
        body: run,
      })) as ScanRun;
    } catch (error) {
      if (isAlreadyExists(error)) return 'already-exists';
      throw toCoreError(error, `creating ScanRun ${run.metadata.name}`);
    }
  }

  async deleteRun(namespace: string, name: string): Promise<void> {
    try {
      await this.#api.deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: SCAN_RUN_PLURAL,
        namespace,
        name,
        propagationPolicy: 'Background',
      });
    } catch (error) {
      if (isNotFound(error)) return;
      throw toCoreError(error, `deleting ScanRun ${namespace}/${name}`);
    }
  }

  async getRun(namespace: string, name: string): Promise<ScanRun | undefined> {
    try {
      return (await this.#api.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: SCAN_RUN_PLURAL,
        namespace,
        name,
      })) as ScanRun;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toCoreError(error, `reading ScanRun ${namespace}/${name}`);
    }
  }

  /** The run as written; the run itself when it is gone (nothing left to write). */
  async patchRunStatus(run: ScanRun, status: ScanRunStatus): Promise<ScanRun> {
    return ((await this.#patchStatus(SCAN_RUN_PLURAL, run, status)) as ScanRun | undefined) ?? run;
  }

  /** The schedule as written; undefined when it is gone. */
  async patchScheduleStatus(schedule: ScanSchedule, status: ScanScheduleStatus): Promise<ScanSchedule | undefined> {
    return (await this.#patchStatus(SCAN_SCHEDULE_PLURAL, schedule, status)) as ScanSchedule | undefined;
  }

  /** Sets metadata.annotations[key] = value with a merge patch (no read-modify-write race). */
  async annotateSchedule(namespace: string, name: string, key: string, value: string): Promise<ScanSchedule> {
    return (await this.#api.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        plural: SCAN_SCHEDULE_PLURAL,
        namespace,
        name,
        body: { metadata: { annotations: { [key]: value } } },
      },
      mergePatch,
    )) as ScanSchedule;
  }

  async #patchStatus(plural: string, object: ScanRun | ScanSchedule, status: object): Promise<unknown> {
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    // A merge patch removes a key only when it is null: fields the new status drops are nulled, judged against
    // the status the caller read. The resourceVersion it was read at makes the patch conditional (optimistic
    // concurrency): if anyone wrote since, the API server answers 409 and the caller re-reads and re-plans,
    // instead of a stale status overwriting a newer phase.
    const resourceVersion = object.metadata.resourceVersion;
    const body = {
      ...(resourceVersion !== undefined && { metadata: { resourceVersion } }),
      status: withRemovals((object.status ?? {}) as Record<string, unknown>, status),
    };
    try {
      if (this.#writes !== undefined) {
        return await this.#writes.send(
          'PATCH',
          `${objectPath(plural, namespace, name)}/status`,
          body,
          MERGE_PATCH_CONTENT,
        );
      }
      return await this.#api.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, plural, namespace, name, body },
        mergePatch,
      );
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toCoreError(error, `writing the status of ${plural} ${namespace}/${name}`);
    }
  }
}

/** A merge patch body that turns `from` into `to` at the top level: keys of `from` missing in `to` become null. */
export function withRemovals(from: Record<string, unknown>, to: object): Record<string, unknown> {
  const body: Record<string, unknown> = { ...to };
  for (const key of Object.keys(from)) if (!(key in body)) body[key] = null;
  return body;
}

/** Events about one object, newest last. */
export async function eventsFor(api: EventsV1Api, namespace: string, uid: string): Promise<EventsV1Event[]> {
  const list: EventsV1EventList = await api.listNamespacedEvent({ namespace, fieldSelector: `regarding.uid=${uid}` });
  return [...list.items].sort((a, b) => (eventTimeMs(a) ?? 0) - (eventTimeMs(b) ?? 0));
}

/**
 * When an Event was last seen, as kubectl reads it: the series' last observation, else the core/v1 last
 * timestamp, else the first occurrence, else when it was written; undefined when it has none of them.
 */
export function eventTimeMs(event: EventsV1Event): number | undefined {
  const raw =
    event.series?.lastObservedTime ??
    event.deprecatedLastTimestamp ??
    event.eventTime ??
    event.metadata?.creationTimestamp;
  return raw === undefined ? undefined : new Date(raw as unknown as string).getTime();
}
