// The ScanSchedule / ScanRun API (group jmo.security, version v1alpha1) as plain JSON types: objects look
// exactly like what the API server returns, so the pure core and the adapters share one shape.
// The schema in schema.ts describes the same objects for ajv and the CRDs; schema.test.ts keeps them aligned.

export const GROUP = 'jmo.security';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const SCAN_SCHEDULE_KIND = 'ScanSchedule';
export const SCAN_RUN_KIND = 'ScanRun';
export const SCAN_SCHEDULE_PLURAL = 'scanschedules';
export const SCAN_RUN_PLURAL = 'scanruns';

/** Labels and annotations the controller writes and reads. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'scanschedule';
export const LABEL_SCHEDULE = 'jmo.security/schedule';
export const ANNOTATION_SCHEDULED_TIME = 'jmo.security/scheduled-time';
export const ANNOTATION_RUN_NOW = 'jmo.security/run-now';

/** Longest schedule name: the run name appends `-<unix minutes>` (up to 11 characters) and Job names stop at 63. */
export const MAX_SCHEDULE_NAME_LENGTH = 52;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';
export const CONCURRENCY_POLICIES: readonly ConcurrencyPolicy[] = ['Allow', 'Forbid', 'Replace'];

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFO';
export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];

export type Profile = 'fast' | 'balanced' | 'deep';
export const PROFILES: readonly Profile[] = ['fast', 'balanced', 'deep'];

export type BackendType = 'kubernetes' | 'gitlab-ci' | 'github-actions' | 'local';
export const BACKEND_TYPES: readonly BackendType[] = ['kubernetes', 'gitlab-ci', 'github-actions', 'local'];

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface SecretKeySelector {
  name: string;
  key: string;
}

export type ChannelType = 'slack' | 'webhook';
export const CHANNEL_TYPES: readonly ChannelType[] = ['slack', 'webhook'];

/**
 * Which finished runs a channel hears about. `success`: Succeeded; `failure`: Failed for any reason but the
 * threshold (scan error, no results, deadline); `thresholdExceeded`: Failed with FindingsAboveThreshold.
 * Named `when`, not `on`: YAML 1.1 (kubectl's dialect) reads the key `on` as the boolean true.
 */
export type NotificationEvent = 'success' | 'failure' | 'thresholdExceeded';
export const NOTIFICATION_EVENTS: readonly NotificationEvent[] = ['success', 'failure', 'thresholdExceeded'];
/** The seed's behaviour: a message for every finished run that is not cancelled. */
export const DEFAULT_NOTIFICATION_EVENTS: readonly NotificationEvent[] = ['success', 'failure', 'thresholdExceeded'];

export interface NotificationChannel {
  type: ChannelType;
  url?: string;
  urlFrom?: { secretKeyRef: SecretKeySelector };
  when?: NotificationEvent[];
  /** webhook only: HMAC-SHA256 key for Standard Webhooks signatures (`webhook-signature`), from a Secret. */
  signingKeyFrom?: { secretKeyRef: SecretKeySelector };
}

export interface Notifications {
  enabled?: boolean;
  channels?: NotificationChannel[];
}

export interface ScanTargets {
  repo?: string;
  repos_dir?: string;
  images?: string[];
  urls?: string[];
  k8s_context?: string;
  k8s_namespace?: string;
}

export interface ScanOptions {
  fail_on?: Severity;
  threads?: number;
  timeout?: number;
  allow_missing_tools?: boolean;
  human_logs?: boolean;
}

export interface JobTemplate {
  profile?: Profile;
  targets: ScanTargets;
  results?: { dir?: string };
  options?: ScanOptions;
  notifications?: Notifications;
}

/** Pass-through Kubernetes shapes (validated by the API server when the Job is created). */
export type KubeObject = Record<string, unknown>;

export interface KubernetesBackendConfig {
  image?: string;
  imagePullPolicy?: PullPolicy;
  command?: string[];
  args?: string[];
  serviceAccountName?: string;
  resources?: KubeObject;
  env?: KubeObject[];
  nodeSelector?: Record<string, string>;
  tolerations?: KubeObject[];
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  ttlSecondsAfterFinished?: number;
  volumes?: KubeObject[];
  volumeMounts?: KubeObject[];
  [key: string]: unknown;
}

export interface Backend {
  type?: BackendType;
  config?: KubernetesBackendConfig;
}

export interface ScanScheduleSpec {
  schedule?: string;
  interval?: string;
  timezone?: string;
  suspend?: boolean;
  concurrencyPolicy?: ConcurrencyPolicy;
  startingDeadlineSeconds?: number;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  backend?: Backend;
  jobTemplate: JobTemplate;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: ConditionStatus;
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export type RunPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';
export const RUN_PHASES: readonly RunPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled'];
export const FINISHED_PHASES: readonly RunPhase[] = ['Succeeded', 'Failed', 'Cancelled'];

export interface Findings {
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
  total: number;
}

/** One finding as the summary shows it: enough to recognise it, never the scanner's full record. */
export interface TopFinding {
  id: string;
  severity: Severity;
  title: string;
  location?: string;
  tool?: string;
}

export interface LastRun {
  name: string;
  phase: RunPhase;
  reason?: string;
  completionTime?: string;
  findings?: Findings;
}

export interface ScanScheduleStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  nextScheduleTime?: string;
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
  lastMissedTime?: string;
  active?: number;
  activeRuns?: string[];
  /** Runs whose Job the controller created and whose own status does not record it yet (core/started-jobs.ts). */
  startedJobs?: string[];
  succeeded?: number;
  failed?: number;
  lastRun?: LastRun;
  effectiveSchedule?: string;
  /** The last `jmo.security/run-now` token turned into a manual run (like Flux's lastHandledReconcileAt). */
  lastHandledRunNow?: string;
}

export interface ScanSchedule {
  apiVersion: typeof API_VERSION;
  kind: typeof SCAN_SCHEDULE_KIND;
  metadata: ObjectMeta;
  spec: ScanScheduleSpec;
  status?: ScanScheduleStatus;
}

export type RunTrigger = 'schedule' | 'manual';

export interface ScanRunSpec {
  scheduleRef: { name: string };
  scheduledTime: string;
  trigger: RunTrigger;
  jobTemplate: JobTemplate;
  backend?: Backend;
}

export type DeliveryState = 'Pending' | 'Sent' | 'Failed';

/** The delivery of one run's message to one channel; the URL is never recorded (it may be a secret). */
export interface NotificationDelivery {
  /** Index into jobTemplate.notifications.channels. */
  channel: number;
  type: ChannelType;
  /** Pending: more attempts to come; Sent: the receiver answered 2xx; Failed: no more attempts. */
  state: DeliveryState;
  attempts: number;
  lastAttemptTime?: string;
  /** Pending only: not before this time. */
  nextAttemptTime?: string;
  /** Why the last attempt failed, without the URL. */
  lastError?: string;
}

export interface ScanRunStatus {
  phase?: RunPhase;
  reason?: string;
  message?: string;
  jobName?: string;
  startTime?: string;
  completionTime?: string;
  /** completionTime - startTime as kubectl prints a Job's DURATION ("45s", "4m12s"); set once the run finished. */
  duration?: string;
  findings?: Findings;
  /** The most severe findings, most severe first (at most 10; fewer when the summary had to fit 4 KiB). */
  topFindings?: TopFinding[];
  /** Scanners whose results were read. */
  tools?: string[];
  notifications?: NotificationDelivery[];
}

export interface ScanRun {
  apiVersion: typeof API_VERSION;
  kind: typeof SCAN_RUN_KIND;
  metadata: ObjectMeta;
  spec: ScanRunSpec;
  status?: ScanRunStatus;
}
