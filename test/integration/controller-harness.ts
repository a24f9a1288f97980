// What the controller's integration tests share: a real control plane with kube-controller-manager (its Job
// controller creates the scan pods, its garbage collector follows owner references), the controller running
// in-process against it, typed access to our objects, and a stand-in kubelet that finishes scan pods by writing
// their status, termination message included (there is no node to run them).
import {
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  type EventsV1Event,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { pino } from 'pino';
import {
  LABEL_SCHEDULE,
  type ScanRun,
  type ScanSchedule,
  type ScanScheduleSpec,
  type TopFinding,
} from '../../src/api/types.ts';
import { encodeTerminationMessage } from '../../src/core/results/termination-message.ts';
import type { Shard } from '../../src/core/shards.ts';
import { LOCAL_CONTROLLER_SETTINGS, type RunningController, startController } from '../../src/kube/controller.ts';
import { ScanObjects } from '../../src/kube/custom-objects.ts';
import { loadKubeConfig } from '../../src/kube/kube-config.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { waitUntil } from '../controlplane/wait-until.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface ClusterClients {
  config: KubeConfig;
  objects: ScanObjects;
  custom: CustomObjectsApi;
  core: CoreV1Api;
  batch: BatchV1Api;
  events: EventsV1Api;
}

export function clientsFor(controlPlane: Pick<ControlPlane, 'kubeconfigPath'>): ClusterClients {
  const config = loadKubeConfig(controlPlane.kubeconfigPath);
  const custom = config.makeApiClient(CustomObjectsApi);
  return {
    config,
    objects: new ScanObjects(custom),
    custom,
    core: config.makeApiClient(CoreV1Api),
    batch: config.makeApiClient(BatchV1Api),
    events: config.makeApiClient(EventsV1Api),
  };
}

/** A control plane with kube-controller-manager, ready for the controller. */
export async function startClusterForController(): Promise<{ controlPlane: ControlPlane; clients: ClusterClients }> {
  const controlPlane = await startControlPlane();
  await controlPlane.startControllerManager();
  return { controlPlane, clients: clientsFor(controlPlane) };
}

export interface TestControllerOptions {
  namespace?: string;
  leaderElect?: boolean;
  identity?: string;
  /** Log lines go here (JSON); default: dropped. */
  logFile?: string;
  notifications?: boolean;
  /** Default: the whole cluster. */
  shard?: Shard;
  /** Default: LOCAL_CONTROLLER_SETTINGS' (16). */
  maxConcurrentReconciles?: number;
}

export const REPORT_IMAGE = 'scanschedule.example/report:test';

/** The controller, in this process, with ephemeral metrics/health ports. */
export function startTestController(
  clients: ClusterClients,
  options: TestControllerOptions = {},
): Promise<RunningController> {
  return startController({
    ...LOCAL_CONTROLLER_SETTINGS,
    kubeConfig: clients.config,
    namespace: options.namespace,
    leaderElect: options.leaderElect ?? false,
    // Short, so a test sees a takeover in seconds.
    leaseDurationMs: 3_000,
    renewDeadlineMs: 2_000,
    retryPeriodMs: 500,
    scannerImage: 'scanner.example/jmo:test',
    reportImage: REPORT_IMAGE,
    ...(options.notifications !== undefined && { allowLinkLocalNotificationTargets: false }),
    ...(options.shard !== undefined && { shard: options.shard }),
    ...(options.maxConcurrentReconciles !== undefined && { maxConcurrentReconciles: options.maxConcurrentReconciles }),
    log:
      options.logFile === undefined
        ? createLogger({ level: 'silent' })
        : createLogger({ level: 'debug', destination: pino.destination({ dest: options.logFile, sync: true }) }),
    identity: options.identity ?? 'test-controller',
  });
}

export async function createNamespace(clients: ClusterClients, name: string): Promise<void> {
  await clients.core.createNamespace({ body: { metadata: { name } } });
}

/** A valid ScanSchedule; `spec` overrides the defaults (an `@every 2s` schedule, Forbid). */
export function aSchedule(namespace: string, name: string, spec: Partial<ScanScheduleSpec> = {}): ScanSchedule {
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanSchedule',
    metadata: { name, namespace },
    spec: { schedule: '@every 2s', jobTemplate: { targets: { repo: '/repos/app' } }, ...spec },
  };
}

export async function createSchedule(clients: ClusterClients, schedule: ScanSchedule): Promise<ScanSchedule> {
  return (await clients.custom.createNamespacedCustomObject({
    group: 'jmo.security',
    version: 'v1alpha1',
    plural: 'scanschedules',
    namespace: schedule.metadata.namespace ?? 'default',
    body: schedule,
  })) as ScanSchedule;
}

export async function patchScheduleSpec(
  clients: ClusterClients,
  namespace: string,
  name: string,
  spec: Partial<ScanScheduleSpec>,
): Promise<void> {
  await clients.custom.patchNamespacedCustomObject(
    { group: 'jmo.security', version: 'v1alpha1', plural: 'scanschedules', namespace, name, body: { spec } },
    mergePatch,
  );
}

export async function getSchedule(clients: ClusterClients, namespace: string, name: string): Promise<ScanSchedule> {
  const schedule = await clients.objects.getSchedule(namespace, name);
  if (schedule === undefined) throw new Error(`scanschedule ${namespace}/${name} not found`);
  return schedule;
}

export function runsOf(clients: ClusterClients, namespace: string, schedule: string): Promise<ScanRun[]> {
  return clients.objects.listRuns(namespace, `${LABEL_SCHEDULE}=${schedule}`);
}

/** Polls until `check` returns a value (not undefined); fails with what it last saw. */
export function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  return waitUntil(what, check, { timeoutMs });
}

export interface PodOutcome {
  /** Exit code of the scanner (the init container `scan`); non-zero fails the pod before the report step. */
  exitCode: number;
  /** The report step's termination message (see findingsMessage / reportErrorMessage); absent: none written. */
  message?: string;
  /** Exit code of the report step when the scanner succeeded: 0, or 2 when the results could not be read. */
  reportExitCode?: number;
}

/** The scan pod the Job controller created for `jobName`, once it exists. */
function scanPodOf(clients: ClusterClients, namespace: string, jobName: string): Promise<V1Pod> {
  return eventually(`a pod of Job ${namespace}/${jobName}`, async () => {
    const pods = await clients.core.listNamespacedPod({
      namespace,
      labelSelector: `batch.kubernetes.io/job-name=${jobName}`,
    });
    return pods.items[0];
  });
}

// Pod status times are whole seconds (metav1.Time).
const wholeSecondNow = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * Plays the kubelet for the scan pod of `jobName`: waits for the Job controller to create it, then writes the
 * finished container state. The Job controller then marks the Job Complete or Failed, as in a real cluster.
 */
export async function finishScanPod(
  clients: ClusterClients,
  namespace: string,
  jobName: string,
  outcome: PodOutcome,
): Promise<V1Pod> {
  const pod = await scanPodOf(clients, namespace, jobName);
  const now = wholeSecondNow();
  const exited = (exitCode: number, message?: string) => ({
    exitCode,
    reason: exitCode === 0 ? 'Completed' : 'Error',
    startedAt: now,
    finishedAt: now,
    ...(message !== undefined && { message }),
  });
  const scanned = outcome.exitCode === 0;
  const reportExit = outcome.reportExitCode ?? 0;
  // As a kubelet does it: the report container starts only after the scanner init container exited 0.
  const report = scanned
    ? { terminated: exited(reportExit, outcome.message) }
    : { waiting: { reason: 'PodInitializing' } };
  return clients.core.patchNamespacedPodStatus(
    {
      namespace,
      name: pod.metadata?.name ?? '',
      body: {
        status: {
          phase: scanned && reportExit === 0 ? 'Succeeded' : 'Failed',
          startTime: now,
          initContainerStatuses: [
            {
              name: 'scan',
              image: 'scanner.example/jmo:test',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { terminated: exited(outcome.exitCode) },
            },
          ],
          containerStatuses: [
            { name: 'report', image: REPORT_IMAGE, imageID: '', ready: false, restartCount: 0, state: report },
          ],
        },
      },
    },
    mergePatch,
  );
}

/** Puts the scan pod of `jobName` in Running, so the run is Running until the test finishes it. */
export async function startScanPod(clients: ClusterClients, namespace: string, jobName: string): Promise<void> {
  const pod = await scanPodOf(clients, namespace, jobName);
  const now = wholeSecondNow();
  await clients.core.patchNamespacedPodStatus(
    {
      namespace,
      name: pod.metadata?.name ?? '',
      body: {
        status: {
          phase: 'Running',
          startTime: now,
          initContainerStatuses: [
            {
              name: 'scan',
              image: 'scanner.example/jmo:test',
              imageID: '',
              ready: false,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: now } },
            },
          ],
          containerStatuses: [
            {
              name: 'report',
              image: REPORT_IMAGE,
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: 'PodInitializing' } },
            },
          ],
        },
      },
    },
    mergePatch,
  );
}

/** What the report step writes for these counts: the real encoder, as `scanschedule report` uses it. */
export function findingsMessage(
  findings: { critical: number; high: number; medium: number; low: number; info: number },
  topFindings: TopFinding[] = [],
  tools: string[] = ['trivy'],
): string {
  const total = findings.critical + findings.high + findings.medium + findings.low + findings.info;
  return encodeTerminationMessage({
    version: 1,
    findings: { ...findings, total },
    tools,
    topFindings,
    sources: [],
  });
}

/** What the report step writes when it cannot read the results. */
export function reportErrorMessage(error: string): string {
  return encodeTerminationMessage({ error });
}

/**
 * Polls `check` for `durationMs` and fails as soon as it reports a violation (a description; undefined: fine).
 * The counterpart of `eventually` for "nothing happens": it proves a state holds over a window, e.g. that no run
 * appears across several due times, while still returning early on the first breach.
 */
export async function consistently(
  what: string,
  durationMs: number,
  check: () => Promise<string | undefined>,
  intervalMs = 250,
): Promise<void> {
  const until = Date.now() + durationMs;
  for (;;) {
    const violation = await check();
    if (violation !== undefined) throw new Error(`expected ${what} for ${durationMs} ms, but: ${violation}`);
    if (Date.now() >= until) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, until - Date.now()))));
  }
}

/** The events.k8s.io Events in `namespace` about the object with `uid`, oldest first. */
export async function eventsAbout(clients: ClusterClients, namespace: string, uid: string): Promise<EventsV1Event[]> {
  const list = await clients.events.listNamespacedEvent({ namespace });
  // Filtered here rather than with a field selector: this also proves that `regarding` names the object.
  return list.items
    .filter((event) => event.regarding?.uid === uid)
    .sort((a, b) => (a.metadata?.creationTimestamp?.getTime() ?? 0) - (b.metadata?.creationTimestamp?.getTime() ?? 0));
}

export async function deleteSchedule(clients: ClusterClients, namespace: string, name: string): Promise<void> {
  await clients.custom.deleteNamespacedCustomObject({
    group: 'jmo.security',
    version: 'v1alpha1',
    plural: 'scanschedules',
    namespace,
    name,
    propagationPolicy: 'Background',
  });
}

/** The run named `name`, or undefined when it does not exist (any more). */
export async function findRun(clients: ClusterClients, namespace: string, name: string): Promise<ScanRun | undefined> {
  const runs = await clients.objects.listRuns(namespace);
  return runs.find((run) => run.metadata.name === name);
}

/** Whether the Job `name` exists (and is not being deleted). */
export async function jobExists(clients: ClusterClients, namespace: string, name: string): Promise<boolean> {
  const jobs = await clients.batch.listNamespacedJob({ namespace, fieldSelector: `metadata.name=${name}` });
  return jobs.items.some((job) => job.metadata?.deletionTimestamp === undefined);
}

/**
 * The value of `metric` in the controller's /metrics, summed over the label sets that carry every label in `where`
 * (all label sets when `where` is empty).
 */
export async function metricTotal(
  controller: Pick<RunningController, 'metricsPort'>,
  metric: string,
  where: Record<string, string> = {},
): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${controller.metricsPort}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  // A counter with labels has no sample before its first increment: that is 0, but an unknown name is a typo.
  if (!text.includes(`# TYPE ${metric} `)) throw new Error(`/metrics has no ${metric}`);
  const wanted = Object.entries(where).map(([label, value]) => `${label}="${value}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (match?.[1] !== metric) continue;
    const labels = (match[2] ?? '').split(',');
    if (wanted.every((pair) => labels.includes(pair))) total += Number(match[3]);
  }
  return total;
}
