// The batch/v1 Job that executes one ScanRun. Pure: the same run always gives the same Job, so a retry after a
// crash creates an identical object and gets AlreadyExists instead of a second, different scan.
import type {
  V1Container,
  V1EnvVar,
  V1Job,
  V1PodSpec,
  V1ResourceRequirements,
  V1SecurityContext,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { DEFAULT_BACKOFF_LIMIT, DEFAULT_RESULTS_DIR, DEFAULT_TTL_SECONDS_AFTER_FINISHED } from '../api/defaults.ts';
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
import { jmoScanCommand } from './jmo-command.ts';

/** Name of the scan container; run-status.ts reads the termination message of this container. */
export const SCAN_CONTAINER_NAME = 'scan';

/** The user the scanner runs as when the image does not say: distroless "nonroot", allowed by restricted PSS. */
export const SCAN_USER_ID = 65532;

/** Name of the container that reads the results into the summary; its termination message carries it back. */
export const REPORT_CONTAINER_NAME = 'report';

/** Where the report container finds our CLI: the controller image's layout (Dockerfile, WORKDIR /app). */
export const REPORT_ENTRYPOINT = ['node', '/app/dist/cli/main.js', 'report'] as const;

export interface JobForRunOptions {
  /** The controller's --scanner-image, used when backend.config.image is not set. */
  scannerImage: string;
  /** The controller's --report-image: our own image, which runs `scanschedule report` over the results. */
  reportImage: string;
}

/** The default scanner command: JMo's `scan`, checked flag by flag against its CLI (jmo-command.ts). */
export const scanCommand = jmoScanCommand;

function resultsDir(template: JobTemplate): string {
  return template.results?.dir ?? DEFAULT_RESULTS_DIR;
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
/** An unchecked cast of a backend.config field to the client-node type the Job carries it as. */
function uncheckedKubeShape<T>(value: unknown): T | undefined {
  return value === undefined ? undefined : (value as T);
}

// A function, not a shared constant: client-node's types are mutable, and each container gets its own copy.
const restrictedContainerSecurity = (): V1SecurityContext => ({
  runAsNonRoot: true,
  runAsUser: SCAN_USER_ID,
  runAsGroup: SCAN_USER_ID,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});

/**
 * The pod runs two steps in order: the scanner as an init container, then our report step as the only main
 * container, over the shared results volume. The kubelet guarantees the order and that the report step never
 * runs after a failed scan (the pod fails, findings stay unknown). Unlike Argo's emissary or Tekton's
 * entrypoint, nothing is injected into the scanner's image or command line, so any image and any
 * `backend.config.command` work as written; unlike secureCodeBox's lurker sidecar, nothing needs pods/log
 * access: the summary comes back in the report container's termination message, which we write ourselves.
 */
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

  const dir = resultsDir(template);
  const userMounts = uncheckedKubeShape<V1VolumeMount[]>(config.volumeMounts) ?? [];
  const scratch = scratchVolumes(dir, userMounts);
  const customCommand = config.command !== undefined || config.args !== undefined;
  const defaultCommand = scanCommand(template);
  const mounts = [...scratch.mounts, ...userMounts];
  const resultsMount = mounts.find((mount) => mount.mountPath === dir);

  const scan: V1Container = {
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
    ...(config.env !== undefined && { env: uncheckedKubeShape<V1EnvVar[]>(config.env) }),
    ...(config.resources !== undefined && { resources: uncheckedKubeShape<V1ResourceRequirements>(config.resources) }),
    volumeMounts: mounts,
    securityContext: restrictedContainerSecurity(),
  };

  const report: V1Container = {
    name: REPORT_CONTAINER_NAME,
    image: options.reportImage,
    command: [...REPORT_ENTRYPOINT],
    args: [dir, '--termination-log', '/dev/termination-log'],
    // Only what the report step needs: the results (read-only) and the scratch /tmp.
    volumeMounts: [
      ...scratch.mounts.filter((mount) => mount.mountPath === '/tmp'),
      ...(resultsMount === undefined ? [] : [{ ...resultsMount, readOnly: true }]),
    ],
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    // The result contract: the summary comes from /dev/termination-log only, never from the log tail, which an
    // attacker-controlled scan target could shape.
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    securityContext: restrictedContainerSecurity(),
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
    initContainers: [scan],
    containers: [report],
    volumes: [...scratch.volumes, ...(uncheckedKubeShape<V1Volume[]>(config.volumes) ?? [])],
    ...(config.nodeSelector !== undefined && { nodeSelector: config.nodeSelector }),
    ...(config.tolerations !== undefined && { tolerations: uncheckedKubeShape<V1Toleration[]>(config.tolerations) }),
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

/** Whether `job` was created for `run`: its controller owner reference names the run's UID. */
export function isJobOfRun(job: V1Job, run: ScanRun): boolean {
  const uid = run.metadata.uid;
  return (
    uid !== undefined && (job.metadata?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === uid)
  );
}
