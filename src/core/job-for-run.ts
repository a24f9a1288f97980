// The batch/v1 Job that executes one ScanRun. Pure: the same run always gives the same Job, so a retry after a
// crash creates an identical object and gets AlreadyExists instead of a second, different scan.
import type {
  V1Container,
  V1EnvVar,
  V1Job,
  V1PodSpec,
  V1ResourceRequirements,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import {
  DEFAULT_BACKOFF_LIMIT,
  DEFAULT_PROFILE,
  DEFAULT_RESULTS_DIR,
  DEFAULT_TTL_SECONDS_AFTER_FINISHED,
} from '../api/defaults.ts';
import {
  ANNOTATION_SCHEDULED_TIME,
  API_VERSION,
  type JobTemplate,
  LABEL_MANAGED_BY,
  LABEL_SCHEDULE,
  MANAGED_BY,
  SCAN_RUN_KIND,
  type ScanRun,
} from '../api/types.ts';

/** Name of the scan container; run-status.ts reads the termination message of this container. */
export const SCAN_CONTAINER_NAME = 'scan';

/** The user the scanner runs as when the image does not say: distroless "nonroot", allowed by restricted PSS. */
export const SCAN_USER_ID = 65532;

/** Env var carrying the URL of notification channel N (jobTemplate.notifications.channels[N]). */
export const NOTIFY_URL_ENV_PREFIX = 'JMO_NOTIFY_URL_';
/** Env var carrying the type (slack | webhook) of notification channel N. */
export const NOTIFY_TYPE_ENV_PREFIX = 'JMO_NOTIFY_TYPE_';

export interface JobForRunOptions {
  /** The controller's --scanner-image, used when backend.config.image is not set. */
  scannerImage: string;
}

/**
 * The default scanner command of DESIGN.md §3:
 * `jmo scan --profile P [--repo R] [--repos-dir D] [--image I]... [--url U]... [--k8s-context C]
 *  [--k8s-namespace N] --results-dir DIR [--fail-on S] [--threads N] [--timeout T] [--allow-missing-tools]
 *  [--human-logs]`.
 */
export function scanCommand(template: JobTemplate): string[] {
  const { targets, options = {} } = template;
  const args = ['jmo', 'scan', '--profile', template.profile ?? DEFAULT_PROFILE];
  if (targets.repo !== undefined) args.push('--repo', targets.repo);
  if (targets.repos_dir !== undefined) args.push('--repos-dir', targets.repos_dir);
  for (const image of targets.images ?? []) args.push('--image', image);
  for (const url of targets.urls ?? []) args.push('--url', url);
  if (targets.k8s_context !== undefined) args.push('--k8s-context', targets.k8s_context);
  if (targets.k8s_namespace !== undefined) args.push('--k8s-namespace', targets.k8s_namespace);
  args.push('--results-dir', resultsDir(template));
  if (options.fail_on !== undefined) args.push('--fail-on', options.fail_on);
  if (options.threads !== undefined) args.push('--threads', String(options.threads));
  if (options.timeout !== undefined) args.push('--timeout', String(options.timeout));
  if (options.allow_missing_tools === true) args.push('--allow-missing-tools');
  if (options.human_logs === true) args.push('--human-logs');
  return args;
}

function resultsDir(template: JobTemplate): string {
  return template.results?.dir ?? DEFAULT_RESULTS_DIR;
}

/**
 * Notification channels as env vars. A `urlFrom.secretKeyRef` channel becomes `valueFrom.secretKeyRef`: the
 * kubelet resolves it in the run's namespace, so the URL is never in the Job, in the controller's memory or in
 * its logs, and the controller needs no permission on Secrets. An inline `url` is already plain text in the
 * ScanSchedule, so it is passed as a plain `value`; the schema tells users to prefer urlFrom.
 */
export function notificationEnv(template: JobTemplate): V1EnvVar[] {
  const notifications = template.notifications;
  if (notifications?.enabled !== true) return [];
  const env: V1EnvVar[] = [];
  (notifications.channels ?? []).forEach((channel, index) => {
    const urlName = `${NOTIFY_URL_ENV_PREFIX}${index}`;
    if (channel.urlFrom !== undefined) {
      const { name, key } = channel.urlFrom.secretKeyRef;
      env.push({ name: urlName, valueFrom: { secretKeyRef: { name, key } } });
    } else if (channel.url !== undefined) {
      env.push({ name: urlName, value: channel.url });
    } else {
      return;
    }
    env.push({ name: `${NOTIFY_TYPE_ENV_PREFIX}${index}`, value: channel.type });
  });
  return env;
}

/**
 * Writable scratch space: the root file system is read-only (restricted Pod Security), so /tmp and the results
 * directory are emptyDirs, unless the user mounts their own volume there (e.g. a PVC to keep the results).
 */
function scratchVolumes(
  dir: string,
  userMounts: readonly V1VolumeMount[],
): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const taken = new Set(userMounts.map((mount) => mount.mountPath));
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  const wanted: [string, string][] = [
    ['scan-tmp', '/tmp'],
    ['scan-results', dir],
  ];
  for (const [name, mountPath] of wanted) {
    if (taken.has(mountPath)) continue;
    taken.add(mountPath);
    volumes.push({ name, emptyDir: {} });
    mounts.push({ name, mountPath });
  }
  return { volumes, mounts };
}

// backend.config's Kubernetes shapes are passed through unchanged (schema: x-kubernetes-preserve-unknown-fields);
// the API server validates them when the Job is created, and a rejection lands on the run as a condition.
function passThrough<T>(value: unknown): T | undefined {
  return value === undefined ? undefined : (value as T);
}

export function jobForRun(run: ScanRun, options: JobForRunOptions): V1Job {
  const { name, namespace, uid } = run.metadata;
  if (name === undefined || namespace === undefined || uid === undefined) {
    // A Job without an owner reference would never be garbage-collected with its run.
    throw new Error('jobForRun needs a ScanRun read from the API server (metadata.name, namespace and uid)');
  }
  const template = run.spec.jobTemplate;
  const config = run.spec.backend?.config ?? {};
  const scheduleName = run.metadata.labels?.[LABEL_SCHEDULE] ?? run.spec.scheduleRef.name;
  const labels = { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_SCHEDULE]: scheduleName };
  const annotations = {
    [ANNOTATION_SCHEDULED_TIME]: run.metadata.annotations?.[ANNOTATION_SCHEDULED_TIME] ?? run.spec.scheduledTime,
  };

  const userMounts = passThrough<V1VolumeMount[]>(config.volumeMounts) ?? [];
  const scratch = scratchVolumes(resultsDir(template), userMounts);
  const customCommand = config.command !== undefined || config.args !== undefined;
  const defaultCommand = scanCommand(template);

  const container: V1Container = {
    name: SCAN_CONTAINER_NAME,
    image: config.image ?? options.scannerImage,
    ...(config.imagePullPolicy !== undefined && { imagePullPolicy: config.imagePullPolicy }),
    // Only command/args the user set: with args alone, the image's entrypoint runs them (Kubernetes semantics).
    ...(customCommand
      ? {
          ...(config.command !== undefined && { command: config.command }),
          ...(config.args !== undefined && { args: config.args }),
        }
      : { command: defaultCommand.slice(0, 1), args: defaultCommand.slice(1) }),
    env: [...notificationEnv(template), ...(passThrough<V1EnvVar[]>(config.env) ?? [])],
    ...(config.resources !== undefined && { resources: passThrough<V1ResourceRequirements>(config.resources) }),
    volumeMounts: [...scratch.mounts, ...userMounts],
    // The result contract: findings come from /dev/termination-log only, never from the log tail, which an
    // attacker-controlled scan target could shape.
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    securityContext: {
      runAsNonRoot: true,
      runAsUser: SCAN_USER_ID,
      runAsGroup: SCAN_USER_ID,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };

  const podSpec: V1PodSpec = {
    restartPolicy: 'Never',
    // The scanner has no business with the API unless the user gave it an identity to scan a cluster with.
    ...(config.serviceAccountName !== undefined
      ? { serviceAccountName: config.serviceAccountName }
      : { automountServiceAccountToken: false }),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: SCAN_USER_ID,
      runAsGroup: SCAN_USER_ID,
      fsGroup: SCAN_USER_ID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [container],
    volumes: [...scratch.volumes, ...(passThrough<V1Volume[]>(config.volumes) ?? [])],
    ...(config.nodeSelector !== undefined && { nodeSelector: config.nodeSelector }),
    ...(config.tolerations !== undefined && { tolerations: passThrough<V1Toleration[]>(config.tolerations) }),
  };

  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace,
      labels,
      annotations,
      ownerReferences: [
        { apiVersion: API_VERSION, kind: SCAN_RUN_KIND, name, uid, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      backoffLimit: config.backoffLimit ?? DEFAULT_BACKOFF_LIMIT,
      ttlSecondsAfterFinished: config.ttlSecondsAfterFinished ?? DEFAULT_TTL_SECONDS_AFTER_FINISHED,
      ...(config.activeDeadlineSeconds !== undefined && { activeDeadlineSeconds: config.activeDeadlineSeconds }),
      template: {
        metadata: { labels, annotations },
        spec: podSpec,
      },
    },
  };
}
