// Builds the two CustomResourceDefinitions from schema.ts. Pure: scripts/gen-crds.ts writes the result to
// crds/, and crds.test.ts fails when the files there differ from what this returns.
import { stringify } from 'yaml';
import { type SchemaNode, scanRunSchema, scanScheduleSchema } from './schema.ts';
import { GROUP, SCAN_RUN_KIND, SCAN_RUN_PLURAL, SCAN_SCHEDULE_KIND, SCAN_SCHEDULE_PLURAL, VERSION } from './types.ts';

interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date' | 'number';
  jsonPath: string;
  description: string;
  priority?: number;
}

interface CrdInput {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  schema: SchemaNode;
  columns: PrinterColumn[];
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

function crd(input: CrdInput): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${input.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/name': 'scanschedule', 'app.kubernetes.io/part-of': 'scanschedule' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: input.kind,
        listKind: `${input.kind}List`,
        plural: input.plural,
        singular: input.singular,
        shortNames: input.shortNames,
        categories: ['scanning'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: input.columns,
          schema: { openAPIV3Schema: input.schema },
        },
      ],
    },
  };
}

/** JSONPath of one field of the Ready condition (kubectl prints the first match). */
function readyCondition(field: 'status' | 'reason' | 'message'): string {
  return `.status.conditions[?(@.type=="Ready")].${field}`;
}

export const scanScheduleCrd: CustomResourceDefinition = crd({
  kind: SCAN_SCHEDULE_KIND,
  plural: SCAN_SCHEDULE_PLURAL,
  singular: 'scanschedule',
  shortNames: ['scansched'],
  schema: scanScheduleSchema,
  columns: [
    { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule', description: 'Cron expression.' },
    // The Ready condition first: a schedule that cannot run (bad zone, stalled) must not look healthy at a glance.
    {
      name: 'Ready',
      type: 'string',
      jsonPath: readyCondition('status'),
      description: 'Status of the Ready condition: True when the schedule is being scheduled as written.',
    },
    {
      name: 'Status',
      type: 'string',
      jsonPath: readyCondition('reason'),
      description: 'Reason of the Ready condition, e.g. Scheduled, Suspended, InvalidSchedule.',
    },
    {
      name: 'Message',
      type: 'string',
      jsonPath: readyCondition('message'),
      description: 'Message of the Ready condition: what is wrong and how to fix it.',
      priority: 1,
    },
    {
      name: 'Interval',
      type: 'string',
      jsonPath: '.spec.interval',
      description: 'Interval after the last run.',
      priority: 1,
    },
    { name: 'Timezone', type: 'string', jsonPath: '.spec.timezone', description: 'Time zone of the cron fields.' },
    { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend', description: 'Whether new runs are stopped.' },
    { name: 'Active', type: 'integer', jsonPath: '.status.active', description: 'Runs not finished yet.' },
    {
      name: 'Last Schedule',
      type: 'date',
      jsonPath: '.status.lastScheduleTime',
      description: 'Nominal time of the last scheduled run.',
    },
    // A date column prints a future time as <invalid>, so the next run is shown as a timestamp.
    { name: 'Next', type: 'string', jsonPath: '.status.nextScheduleTime', description: 'Next due time (UTC).' },
    {
      name: 'Last Result',
      type: 'string',
      jsonPath: '.status.lastRun.phase',
      description: 'Phase of the last finished run.',
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' },
  ],
});

export const scanRunCrd: CustomResourceDefinition = crd({
  kind: SCAN_RUN_KIND,
  plural: SCAN_RUN_PLURAL,
  singular: 'scanrun',
  shortNames: ['scanrun'],
  schema: scanRunSchema,
  columns: [
    { name: 'Schedule', type: 'string', jsonPath: '.spec.scheduleRef.name', description: 'Owning ScanSchedule.' },
    // `kubectl get scanrun --sort-by=.spec.scheduledTime` orders by this column's field.
    {
      name: 'Scheduled',
      type: 'date',
      jsonPath: '.spec.scheduledTime',
      description: 'Nominal time the run was scheduled for.',
    },
    // The controller writes the text: a column's JSONPath cannot subtract startTime from completionTime.
    { name: 'Duration', type: 'string', jsonPath: '.status.duration', description: 'How long the run took.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Lifecycle phase.' },
    { name: 'Reason', type: 'string', jsonPath: '.status.reason', description: 'Why the run is in its phase.' },
    { name: 'Critical', type: 'integer', jsonPath: '.status.findings.critical', description: 'Critical findings.' },
    { name: 'High', type: 'integer', jsonPath: '.status.findings.high', description: 'High findings.' },
    { name: 'Total', type: 'integer', jsonPath: '.status.findings.total', description: 'All findings.' },
    { name: 'Started', type: 'date', jsonPath: '.status.startTime', description: 'When the scan started.' },
    {
      name: 'Completed',
      type: 'date',
      jsonPath: '.status.completionTime',
      description: 'When the run finished.',
      priority: 1,
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' },
  ],
});

export const CRD_FILES: ReadonlyArray<{ file: string; crd: CustomResourceDefinition }> = [
  { file: `${SCAN_SCHEDULE_PLURAL}.${GROUP}.yaml`, crd: scanScheduleCrd },
  { file: `${SCAN_RUN_PLURAL}.${GROUP}.yaml`, crd: scanRunCrd },
];

export const GENERATED_HEADER = '# Code generated by scripts/gen-crds.ts from src/api/schema.ts. DO NOT EDIT.\n';

/** The exact text of a generated CRD file. */
export function renderCrd(definition: CustomResourceDefinition): string {
  return `${GENERATED_HEADER}${stringify(definition, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** crds/kustomization.yaml: lets manifests/kustomization.yaml include the CRDs as ../crds. */
export function renderCrdKustomization(): string {
  return `${GENERATED_HEADER}${stringify({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: CRD_FILES.map(({ file }) => file),
  })}`;
}
