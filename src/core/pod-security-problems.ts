// What the "restricted" Pod Security Standard would refuse in the parts of a scan pod a ScanSchedule controls.
// The Job builder (job-for-run.ts) fixes the pod's and container's security context itself; what a user can add
// is backend.config: volumes pass through as they are, and the config keeps unknown keys for other backends.
// Checking here turns a pod the namespace would refuse (or, without enforcement, a privileged one) into a spec
// problem: a Stalled/InvalidSpec condition on the schedule and one Warning Event, instead of a refused Job per
// run, and the same finding from `scanschedule validate`.
import { formatPath, type Problem } from '../api/problem.ts';
import type { ScanScheduleSpec } from '../api/types.ts';

/** Volume sources restricted Pod Security allows (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export const RESTRICTED_VOLUME_SOURCES: readonly string[] = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/**
 * Pod and container fields restricted Pod Security governs. backend.config has no such fields, and the Job
 * builder ignores keys it does not know; one of these names is still refused rather than ignored, because
 * whoever writes `privileged: true` expects it to take effect, and a silently dropped security setting is a
 * misunderstanding waiting to become a hole.
 */
export const POD_SECURITY_FIELDS: readonly string[] = [
  'securityContext',
  'podSecurityContext',
  'privileged',
  'allowPrivilegeEscalation',
  'capabilities',
  'procMount',
  'seccompProfile',
  'seLinuxOptions',
  'appArmorProfile',
  'windowsOptions',
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'readOnlyRootFilesystem',
  'fsGroup',
  'supplementalGroups',
  'sysctls',
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'hostUsers',
  'hostPort',
  'ports',
];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function problemAt(segments: (string | number)[], message: string, fix: string): Problem {
  return { path: formatPath(segments), segments, message, fix };
}

const CONFIG = ['spec', 'backend', 'config'];

function volumeProblems(volumes: unknown): Problem[] {
  if (!Array.isArray(volumes)) return [];
  return volumes.flatMap((volume: unknown, index) => {
    if (!isRecord(volume)) return [];
    return Object.keys(volume)
      .filter((key) => key !== 'name' && !RESTRICTED_VOLUME_SOURCES.includes(key))
      .map((source) =>
        problemAt(
          [...CONFIG, 'volumes', index, source],
          `${source} volumes are refused: restricted Pod Security, which scan pods meet, allows only ${RESTRICTED_VOLUME_SOURCES.join(', ')}`,
          source === 'hostPath'
            ? 'Put the data to scan on a persistentVolumeClaim (or a csi volume) instead of the node’s file system.'
            : 'Use one of the allowed volume types, e.g. a persistentVolumeClaim.',
        ),
      );
  });
}

function securityFieldProblems(config: Record<string, unknown>): Problem[] {
  return Object.keys(config)
    .filter((key) => POD_SECURITY_FIELDS.includes(key))
    .map((key) =>
      problemAt(
        [...CONFIG, key],
        `${key} cannot be set: the controller fixes the scan pod’s security settings to restricted Pod Security (non-root, no privilege escalation, all capabilities dropped, no host namespaces or ports)`,
        `Remove spec.backend.config.${key}; a scan that needs more than restricted Pod Security is not supported.`,
      ),
    );
}

/** What restricted Pod Security would refuse in the scan pod of a kubernetes-backend schedule; [] for other backends. */
export function podSecurityProblems(spec: ScanScheduleSpec): Problem[] {
  const backend: unknown = spec.backend;
  const type = isRecord(backend) ? (backend.type ?? 'kubernetes') : 'kubernetes';
  const config = isRecord(backend) ? backend.config : undefined;
  if (type !== 'kubernetes' || !isRecord(config)) return [];
  return [...securityFieldProblems(config), ...volumeProblems(config.volumes)];
}
