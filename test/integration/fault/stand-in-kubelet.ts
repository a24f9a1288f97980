// A kubelet for the fault-injection suite: it starts each scan pod after a short random delay and finishes it a
// random while later, some successfully and some failed, through the harness' startScanPod/finishScanPod (so a
// change of pod shape is made in the harness only). It keeps polling through apiserver and etcd outages and, as
// an independent witness, records every Job UID it sees under each Job name and when each scan really ran.
import { LABEL_MANAGED_BY, LABEL_SCHEDULE, MANAGED_BY } from '../../../src/api/types.ts';
import { type ClusterClients, findingsMessage, finishScanPod, startScanPod } from '../controller-harness.ts';
import type { Random } from './seeded-random.ts';

/** One scan pod's life as the kubelet saw it. */
export interface PodExecution {
  namespace: string;
  schedule: string;
  jobName: string;
  jobUid: string;
  podUid: string;
  /** When the kubelet put it in Running; undefined if it never did. */
  startedMs?: number;
  /** When the kubelet wrote its terminated state, or first saw it gone or finished by someone else. */
  endedMs?: number;
}

export interface KubeletObservations {
  /** `namespace/jobName` → every Job UID seen under that name (from the Jobs and from their pods' labels). */
  jobUidsByName: Map<string, Set<string>>;
  executions: PodExecution[];
  /** Pod status writes that succeeded / failed (failures are expected while the apiserver is down). */
  writes: number;
  writeErrors: number;
}

export type KubeletMode = 'storm' | 'settle';

export interface StandInKubelet {
  readonly observations: KubeletObservations;
  /** `settle`: short scans only, so the schedules quieten before the audit. */
  setMode(mode: KubeletMode): void;
  stop(): Promise<void>;
}

interface PodPlan {
  execution: PodExecution;
  startAtMs: number;
  finishAtMs: number;
  exitCode: number;
  busy: boolean;
}

const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

export function startStandInKubelet(clients: ClusterClients, random: Random, pollMs = 500): StandInKubelet {
  const observations: KubeletObservations = { jobUidsByName: new Map(), executions: [], writes: 0, writeErrors: 0 };
  const plans = new Map<string, PodPlan>();
  let mode: KubeletMode = 'storm';
  let stopped = false;
  const selector = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

  const sawJob = (namespace: string, name: string, uid: string | undefined): void => {
    if (uid === undefined || uid === '') return;
    const key = `${namespace}/${name}`;
    const uids = observations.jobUidsByName.get(key) ?? new Set<string>();
    uids.add(uid);
    observations.jobUidsByName.set(key, uids);
  };

  // Mostly a few seconds; in a storm one scan in four outlasts a 10 s period, so Forbid waits and Replace cancels.
  const durationMs = (): number => {
    if (mode === 'settle') return random.int(500, 2_000);
    return random.chance(0.25) ? random.int(9_000, 20_000) : random.int(1_000, 6_000);
  };

  const act = (plan: PodPlan, now: number): void => {
    const { execution } = plan;
    if (plan.busy || execution.endedMs !== undefined) return;
    const write = (step: Promise<unknown>, onDone: () => void): void => {
      plan.busy = true;
      step
        .then(() => {
          observations.writes += 1;
          onDone();
        })
        .catch(() => {
          observations.writeErrors += 1;
        })
        .finally(() => {
          plan.busy = false;
        });
    };
    if (execution.startedMs === undefined && now >= plan.startAtMs) {
      write(startScanPod(clients, execution.namespace, execution.jobName), () => {
        execution.startedMs = Date.now();
        plan.finishAtMs = Date.now() + durationMs();
      });
    } else if (execution.startedMs !== undefined && now >= plan.finishAtMs) {
      const clean = { critical: 0, high: 0, medium: 1, low: 2, info: 3 };
      const message = findingsMessage(plan.exitCode === 0 ? clean : { ...clean, critical: 1 });
      write(
        finishScanPod(clients, execution.namespace, execution.jobName, { exitCode: plan.exitCode, message }),
        () => {
          execution.endedMs ??= Date.now();
        },
      );
    }
  };

  const poll = async (): Promise<void> => {
    const now = Date.now();
    const [jobs, pods] = await Promise.all([
      clients.batch.listJobForAllNamespaces({ labelSelector: selector }),
      clients.core.listPodForAllNamespaces({ labelSelector: selector }),
    ]);
    for (const job of jobs.items) sawJob(job.metadata?.namespace ?? '', job.metadata?.name ?? '', job.metadata?.uid);
    const present = new Set<string>();
    for (const pod of pods.items) {
      const uid = pod.metadata?.uid ?? '';
      const namespace = pod.metadata?.namespace ?? '';
      const labels = pod.metadata?.labels ?? {};
      const jobName = labels[JOB_NAME_LABEL] ?? '';
      present.add(uid);
      sawJob(namespace, jobName, labels[CONTROLLER_UID_LABEL]);
      let plan = plans.get(uid);
      if (plan === undefined) {
        const execution: PodExecution = {
          namespace,
          schedule: labels[LABEL_SCHEDULE] ?? '',
          jobName,
          jobUid: labels[CONTROLLER_UID_LABEL] ?? '',
          podUid: uid,
        };
        observations.executions.push(execution);
        plan = {
          execution,
          startAtMs: now + random.int(200, 1_500),
          finishAtMs: Number.POSITIVE_INFINITY,
          exitCode: random.chance(0.25) ? 1 : 0,
          busy: false,
        };
        plans.set(uid, plan);
      }
      const phase = pod.status?.phase;
      const gone = pod.metadata?.deletionTimestamp !== undefined || phase === 'Succeeded' || phase === 'Failed';
      if (gone) {
        if (plan.execution.startedMs !== undefined) plan.execution.endedMs ??= now;
        continue;
      }
      act(plan, now);
    }
    for (const [uid, plan] of plans) {
      if (!present.has(uid) && plan.execution.startedMs !== undefined) plan.execution.endedMs ??= now;
    }
  };

  const loop = (async () => {
    while (!stopped) {
      // The API may be down (that is the point): the next poll tries again.
      await poll().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  })();

  return {
    observations,
    setMode: (next) => {
      mode = next;
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
