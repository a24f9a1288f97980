// The ONE schema of the API. scripts/gen-crds.ts writes it into crds/*.yaml as the CRDs' openAPIV3Schema,
// and validate.ts compiles the very same objects with ajv (adding only what kubectl's strict field
// validation does: unknown fields are errors). Every field has a description so `kubectl explain` teaches it.

import { CEL_RULES, type CelRule } from './cel-rules.ts';
import {
  DEFAULT_BACKOFF_LIMIT,
  DEFAULT_CONCURRENCY_POLICY,
  DEFAULT_FAILED_HISTORY_LIMIT,
  DEFAULT_PROFILE,
  DEFAULT_RESULTS_DIR,
  DEFAULT_SUCCESSFUL_HISTORY_LIMIT,
  DEFAULT_TIMEZONE,
  DEFAULT_TTL_SECONDS_AFTER_FINISHED,
} from './defaults.ts';
import { SCHEDULE_PATTERN } from './schedule-pattern.ts';
import { timeZoneNames } from './time-zone-names.ts';
import {
  BACKEND_TYPES,
  CHANNEL_TYPES,
  CONCURRENCY_POLICIES,
  NOTIFICATION_EVENTS,
  PROFILES,
  RUN_PHASES,
  SEVERITIES,
} from './types.ts';

/** The subset of Kubernetes' JSONSchemaProps this API uses. */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'number';
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  enum?: readonly (string | number | boolean)[];
  default?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-validations'?: CelRule[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
}

const str = (description: string, extra: Partial<SchemaNode> = {}): SchemaNode => ({
  type: 'string',
  description,
  ...extra,
});
const int = (description: string, extra: Partial<SchemaNode> = {}): SchemaNode => ({
  type: 'integer',
  format: 'int32',
  description,
  ...extra,
});
const bool = (description: string, extra: Partial<SchemaNode> = {}): SchemaNode => ({
  type: 'boolean',
  description,
  ...extra,
});
const obj = (
  description: string,
  properties: Record<string, SchemaNode>,
  extra: Partial<SchemaNode> = {},
): SchemaNode => ({ type: 'object', description, properties, ...extra });
const list = (description: string, items: SchemaNode, extra: Partial<SchemaNode> = {}): SchemaNode => ({
  type: 'array',
  description,
  items,
  ...extra,
});
const time = (description: string): SchemaNode => str(description, { format: 'date-time' });
/** A Kubernetes object passed through to the Job as is; the API server validates it there. */
const passThrough = (description: string): SchemaNode => ({
  type: 'object',
  description,
  'x-kubernetes-preserve-unknown-fields': true,
});

const secretKeyRef = obj(
  'Selects a key of a Secret in the schedule’s namespace.',
  {
    name: str('Name of the Secret, in the same namespace as the ScanSchedule.', { minLength: 1 }),
    key: str('Key within the Secret whose value is used.', { minLength: 1 }),
  },
  { required: ['name', 'key'] },
);

const channel = obj(
  'One notification destination. Set exactly one of url or urlFrom; prefer urlFrom so the URL stays in a Secret.',
  {
    type: str('Kind of destination: slack (incoming webhook, Block Kit message) or webhook (JSON POST).', {
      enum: CHANNEL_TYPES,
    }),
    url: str('Webhook URL written inline. It is treated as a secret: never logged, never shown in status or Events.', {
      pattern: '^https?://',
    }),
    urlFrom: obj(
      'Reads the webhook URL from a Secret in the schedule’s namespace.',
      { secretKeyRef },
      { required: ['secretKeyRef'] },
    ),
    when: list(
      'Which finished runs this channel hears about: success, failure (any failure but the threshold), thresholdExceeded. Default: all three. (Not `on`: YAML 1.1 reads that key as true.)',
      str('success, failure or thresholdExceeded.', { enum: NOTIFICATION_EVENTS }),
      { minItems: 1, 'x-kubernetes-list-type': 'set' },
    ),
    signingKeyFrom: obj(
      'webhook only: the Standard Webhooks HMAC-SHA256 key (whsec_… or raw text) from a Secret in the schedule’s namespace; each POST then carries webhook-signature.',
      { secretKeyRef },
      { required: ['secretKeyRef'] },
    ),
  },
  { required: ['type'], 'x-kubernetes-validations': [CEL_RULES.channelUrlXorUrlFrom] },
);

export const jobTemplateSchema: SchemaNode = obj(
  'What each run scans and how: the scanner profile, the targets, where results go, scan options and notifications.',
  {
    profile: str('Scanner profile: fast (quick checks), balanced (the usual set) or deep (every tool, slowest).', {
      enum: PROFILES,
      default: DEFAULT_PROFILE,
    }),
    targets: obj(
      'What to scan. At least one target must be set; several kinds may be combined in one run.',
      {
        repo: str('Path of one repository to scan (jmo scan --repo).'),
        repos_dir: str('Directory whose immediate subdirectories are repositories to scan (--repos-dir).'),
        images: list(
          'Container images to scan, e.g. nginx:1.27 (--image, repeated).',
          str('A container image reference.'),
        ),
        urls: list('Web applications or APIs to scan (--url, repeated).', str('A URL.', { pattern: '^https?://' })),
        k8s_context: str('kubeconfig context of a cluster to scan (--k8s-context).'),
        k8s_namespace: str('Namespace to limit the cluster scan to (--k8s-namespace).'),
      },
      { minProperties: 1 },
    ),
    results: obj('Where the scanner writes its results.', {
      dir: str('Results directory inside the scan container (--results-dir).', { default: DEFAULT_RESULTS_DIR }),
    }),
    options: obj('Scanner options.', {
      fail_on: str(
        'Lowest severity that fails the run: a scan with findings at or above it ends Failed with reason FindingsAboveThreshold (--fail-on).',
        { enum: SEVERITIES },
      ),
      threads: int('Parallel scanner threads (--threads).', { minimum: 1, maximum: 128 }),
      timeout: int('Per-tool timeout in seconds (--timeout).', { minimum: 1 }),
      allow_missing_tools: bool('Run even when some scanner tools are not installed (--allow-missing-tools).'),
      human_logs: bool('Human-readable scanner logs instead of JSON (--human-logs).'),
    }),
    notifications: obj('Messages sent when a run finishes.', {
      enabled: bool('Send notifications for this schedule’s runs.', { default: false }),
      channels: list('Destinations that receive a message for each finished run.', channel),
    }),
  },
  { required: ['targets'] },
);

export const backendSchema: SchemaNode = obj(
  'Where runs execute. The controller runs type kubernetes; the other types are valid, shown with the ExternalBackend condition, and exported or run by other commands.',
  {
    type: str('Execution backend: kubernetes (a Job per run, the default), gitlab-ci, github-actions or local.', {
      enum: BACKEND_TYPES,
      default: 'kubernetes',
    }),
    config: {
      type: 'object',
      description:
        'Backend settings. For kubernetes: the scan container and Job (the fields below); other backends read their own keys.',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: {
        image: str('Scanner image; defaults to the controller’s --scanner-image.'),
        imagePullPolicy: str('Image pull policy of the scan container.', { enum: ['Always', 'IfNotPresent', 'Never'] }),
        command: list('Overrides the default `jmo scan …` command.', str('An argument.')),
        args: list('Arguments to the command.', str('An argument.')),
        serviceAccountName: str('ServiceAccount the scan pod runs as, in the schedule’s namespace.'),
        resources: passThrough('Compute resources of the scan container (core/v1 ResourceRequirements).'),
        env: list('Environment variables of the scan container (core/v1 EnvVar).', passThrough('An EnvVar.')),
        nodeSelector: {
          type: 'object',
          description: 'Node labels the scan pod must match.',
          additionalProperties: { type: 'string' },
        },
        tolerations: list('Tolerations of the scan pod (core/v1 Toleration).', passThrough('A Toleration.')),
        activeDeadlineSeconds: {
          type: 'integer',
          format: 'int64',
          minimum: 1,
          description: 'Longest a run may take; past it the Job is stopped and the run fails with DeadlineExceeded.',
        },
        backoffLimit: int('Retries of a failed scan pod. A scan is not retried blindly, so the default is 0.', {
          minimum: 0,
          default: DEFAULT_BACKOFF_LIMIT,
        }),
        ttlSecondsAfterFinished: int(
          'Seconds the finished Job and its pods are kept; the ScanRun record stays until the history limits remove it.',
          { minimum: 0, default: DEFAULT_TTL_SECONDS_AFTER_FINISHED },
        ),
        volumes: list('Volumes of the scan pod (core/v1 Volume).', passThrough('A Volume.')),
        volumeMounts: list('Volume mounts of the scan container (core/v1 VolumeMount).', passThrough('A VolumeMount.')),
      },
    },
  },
);

const findings = obj(
  'Findings by severity, from the scan’s termination message. Absent when unknown; never zeros for a scan that failed.',
  {
    critical: int('Critical findings.', { minimum: 0 }),
    high: int('High findings.', { minimum: 0 }),
    medium: int('Medium findings.', { minimum: 0 }),
    low: int('Low findings.', { minimum: 0 }),
    info: int('Informational findings.', { minimum: 0 }),
    total: int('All findings.', { minimum: 0 }),
  },
);

const phase = str('Lifecycle phase: Pending, Running, Succeeded, Failed or Cancelled.', { enum: RUN_PHASES });

const condition = obj(
  'A status condition (metav1.Condition), following kstatus.',
  {
    type: str('Condition type, e.g. Ready, Stalled, Reconciling, Suspended, LastRunSucceeded.', { maxLength: 316 }),
    status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      minimum: 0,
      description: 'Generation the condition is for.',
    },
    lastTransitionTime: time('When the status last changed.'),
    reason: str('CamelCase reason for the condition’s last transition.', { maxLength: 1024 }),
    message: str('Human-readable details.', { maxLength: 32768 }),
  },
  { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
);

/**
 * A rule only the API server needs: its copy of a check the controller and the offline validator code
 * themselves (cron grammar, zone names) with better messages. It is a lazy, enumerable accessor: the CRDs (and
 * anything that reads the schema as data) see the value; validate.ts skips accessors, so offline commands
 * neither compute 600 zone names nor compile a 6 KB regex at start-up.
 */
function apiServerOnly<K extends 'pattern' | 'enum'>(
  node: SchemaNode,
  key: K,
  compute: () => NonNullable<SchemaNode[K]>,
): SchemaNode {
  let value: NonNullable<SchemaNode[K]> | undefined;
  return Object.defineProperty(node, key, {
    enumerable: true,
    get: () => {
      value ??= compute();
      return value;
    },
  });
}

const scanScheduleSpec = obj(
  'When and how to run a security scan. Set exactly one of schedule or interval.',
  {
    schedule: apiServerOnly(
      str(
        'Cron expression with 5 fields (minute hour day-of-month month day-of-week), a descriptor (@hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually) or @every <duration>. H in the minute or hour field picks a stable value per schedule, spreading load. Read in spec.timezone; TZ= prefixes are rejected.',
        { minLength: 1, maxLength: 256 },
      ),
      'pattern',
      () => SCHEDULE_PATTERN,
    ),
    interval: str(
      'Run this long after the previous run completed (first run: creation + interval), e.g. 15m or 1h30m. At least 1m.',
      { pattern: '^([0-9]+h)?([0-9]+m)?([0-9]+s)?$', minLength: 2, maxLength: 32 },
    ),
    timezone: apiServerOnly(
      str('IANA time zone the cron fields are read in, e.g. Europe/Berlin.', {
        default: DEFAULT_TIMEZONE,
        minLength: 1,
        maxLength: 64,
      }),
      'enum',
      timeZoneNames,
    ),
    suspend: bool('Stop creating runs. Status keeps showing when the next run would be; cleanup still happens.', {
      default: false,
    }),
    concurrencyPolicy: str(
      'What a due run does while another run of this schedule is active: Forbid (skip until it ends; the default), Allow (run both) or Replace (cancel the active run, then start).',
      { enum: CONCURRENCY_POLICIES, default: DEFAULT_CONCURRENCY_POLICY },
    ),
    startingDeadlineSeconds: {
      type: 'integer',
      format: 'int64',
      minimum: 0,
      description:
        'A run that cannot start within this many seconds of its scheduled time is missed (Warning Event MissedSchedule, status.lastMissedTime) instead of starting late.',
    },
    successfulJobsHistoryLimit: int('Finished successful ScanRuns to keep; older ones are deleted.', {
      minimum: 0,
      default: DEFAULT_SUCCESSFUL_HISTORY_LIMIT,
    }),
    failedJobsHistoryLimit: int('Finished failed or cancelled ScanRuns to keep; older ones are deleted.', {
      minimum: 0,
      default: DEFAULT_FAILED_HISTORY_LIMIT,
    }),
    backend: backendSchema,
    jobTemplate: jobTemplateSchema,
  },
  {
    required: ['jobTemplate'],
    'x-kubernetes-validations': [
      CEL_RULES.scheduleXorInterval,
      CEL_RULES.noTimezoneInSchedule,
      CEL_RULES.intervalAtLeastOneMinute,
    ],
  },
);

const scanScheduleStatus = obj('Observed state, written by the controller.', {
  observedGeneration: {
    type: 'integer',
    format: 'int64',
    description: 'The spec generation the controller last processed.',
  },
  conditions: list(
    'Ready, Stalled, Reconciling, Suspended, LastRunSucceeded and ExternalBackend conditions (kstatus).',
    condition,
    { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
  ),
  nextScheduleTime: time('Next time a run is due (also shown while suspended).'),
  lastScheduleTime: time('Nominal time of the last scheduled run created.'),
  lastSuccessfulTime: time('Completion time of the last successful run.'),
  lastMissedTime: time('Nominal time of the last run missed because of startingDeadlineSeconds.'),
  active: int('Runs not finished yet.', { minimum: 0 }),
  activeRuns: list('Names of the runs not finished yet.', str('A ScanRun name.')),
  startedJobs: list(
    'Runs whose scan Job the controller created and whose own status does not record it yet. A run listed here whose Job is gone is failed (JobDeleted), never given a second Job.',
    str('A ScanRun name.'),
  ),
  succeeded: int('Successful runs kept in history.', { minimum: 0 }),
  failed: int('Failed or cancelled runs kept in history.', { minimum: 0 }),
  lastRun: obj('The most recently finished run.', {
    name: str('ScanRun name.'),
    phase,
    reason: str('Why the run ended, e.g. Completed, FindingsAboveThreshold, ScanFailed, DeadlineExceeded, Replaced.'),
    completionTime: time('When it finished.'),
    findings,
  }),
  effectiveSchedule: str('The schedule actually used, after H expansion.'),
  lastHandledRunNow: str('The last jmo.security/run-now annotation value turned into a manual run.'),
});

// kube-apiserver rejects a CRD whose metadata schema says anything but name/generateName constraints (a
// description too: "must not specify anything other than name and generateName"); it documents metadata itself.
const metadataSchema: SchemaNode = { type: 'object' };

function root(kind: string, description: string, spec: SchemaNode, status: SchemaNode, extra: Partial<SchemaNode>) {
  return obj(
    description,
    {
      apiVersion: str('Versioned schema of this object: jmo.security/v1alpha1.'),
      kind: str(`${kind}.`),
      metadata: metadataSchema,
      spec,
      status,
    },
    { required: ['spec'], ...extra },
  );
}

export const scanScheduleSchema: SchemaNode = root(
  'ScanSchedule',
  'A recurring security scan: a cron schedule or interval, and the scan each run executes.',
  scanScheduleSpec,
  scanScheduleStatus,
  { 'x-kubernetes-validations': [CEL_RULES.scheduleNameLength] },
);

const scanRunSpec = obj(
  'One run of a ScanSchedule, frozen when it was created: later edits of the schedule do not change it.',
  {
    scheduleRef: obj(
      'The ScanSchedule this run belongs to.',
      { name: str('Name of the ScanSchedule in this namespace.', { minLength: 1 }) },
      { required: ['name'] },
    ),
    scheduledTime: time('Nominal time this run was scheduled for (RFC 3339).'),
    trigger: str('schedule (a due time) or manual (jmo.security/run-now or scanschedule trigger).', {
      enum: ['schedule', 'manual'],
    }),
    jobTemplate: jobTemplateSchema,
    backend: backendSchema,
  },
  {
    required: ['scheduleRef', 'scheduledTime', 'trigger', 'jobTemplate'],
    'x-kubernetes-validations': [CEL_RULES.scanRunSpecImmutable],
  },
);

const scanRunStatus = obj('Observed state of the run, written by the controller.', {
  phase,
  reason: str(
    'Why the run is in its phase: Completed, FindingsAboveThreshold, ScanFailed, DeadlineExceeded, Replaced, …',
  ),
  message: str('Human-readable details.'),
  jobName: str('Name of the Job that executes the run.'),
  startTime: time('When the scan started.'),
  completionTime: time('When the run finished.'),
  duration: str(
    'How long the run took, completionTime - startTime, as kubectl prints a Job’s DURATION (45s, 4m12s, 63m). Written with completionTime; absent while the run has not finished.',
    { maxLength: 32 },
  ),
  findings,
  topFindings: list(
    'The most severe findings, most severe first (at most 10; fewer when the summary had to fit 4 KiB).',
    obj(
      'One finding as the summary shows it.',
      {
        id: str('The scanner’s rule or vulnerability id.', { maxLength: 256 }),
        severity: str('CRITICAL, HIGH, MEDIUM, LOW or INFO.', { enum: SEVERITIES }),
        title: str('Short description.', { maxLength: 512 }),
        location: str('Where: path:line, image or URL.', { maxLength: 512 }),
        tool: str('The scanner that reported it.', { maxLength: 128 }),
      },
      { required: ['id', 'severity', 'title'] },
    ),
    { maxItems: 10 },
  ),
  tools: list('Scanners whose results were read.', str('Tool name.', { maxLength: 128 }), { maxItems: 64 }),
  notifications: list(
    'Delivery of this run’s message to each channel (never the URL).',
    obj(
      'One channel’s delivery.',
      {
        channel: int('Index of the channel in spec.jobTemplate.notifications.channels.', { minimum: 0 }),
        type: str('slack or webhook.', { enum: CHANNEL_TYPES }),
        state: str('Pending (more attempts to come), Sent (the receiver answered 2xx) or Failed (no more attempts).', {
          enum: ['Pending', 'Sent', 'Failed'],
        }),
        attempts: int('Attempts made.', { minimum: 0 }),
        lastAttemptTime: time('When the last attempt was made.'),
        nextAttemptTime: time('Pending only: the next attempt is not before this time.'),
        lastError: str('Why the last attempt failed (never the URL).', { maxLength: 512 }),
      },
      { required: ['channel', 'type', 'state', 'attempts'] },
    ),
  ),
});

export const scanRunSchema: SchemaNode = root(
  'ScanRun',
  'One execution of a ScanSchedule: its frozen scan settings, the Job that runs it, and the result.',
  scanRunSpec,
  scanRunStatus,
  {},
);
