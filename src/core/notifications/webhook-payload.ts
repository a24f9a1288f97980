// The generic webhook body, version 1 (docs/notifications.md shows an example). Additive changes keep
// version 1; removing or retyping a field makes version 2. Every key is always present (null when unknown), so
// receivers can validate against one fixed shape; findings are null when unknown, never zeros.
import {
  API_VERSION,
  type Findings,
  type NotificationEvent,
  type RunPhase,
  type RunTrigger,
  type ScanRun,
  type Severity,
  type TopFinding,
} from '../../api/types.ts';
import { durationSeconds } from './run-facts.ts';

export const WEBHOOK_PAYLOAD_KIND = 'ScanRunNotification';
export const WEBHOOK_PAYLOAD_VERSION = 1;

export interface WebhookPayloadV1 {
  apiVersion: typeof API_VERSION;
  kind: typeof WEBHOOK_PAYLOAD_KIND;
  version: typeof WEBHOOK_PAYLOAD_VERSION;
  event: NotificationEvent;
  schedule: { namespace: string | null; name: string };
  run: {
    name: string | null;
    uid: string | null;
    trigger: RunTrigger;
    scheduledTime: string;
    phase: RunPhase | null;
    reason: string | null;
    message: string | null;
    startTime: string | null;
    completionTime: string | null;
    durationSeconds: number | null;
  };
  /** spec.jobTemplate.options.fail_on: the threshold the verdict was judged against. */
  failOn: Severity | null;
  findings: Findings | null;
  topFindings: {
    id: string;
    severity: Severity;
    title: string;
    location: string | null;
    tool: string | null;
  }[];
  tools: string[];
}

export function webhookPayload(run: ScanRun, event: NotificationEvent): WebhookPayloadV1 {
  const status = run.status ?? {};
  return {
    apiVersion: API_VERSION,
    kind: WEBHOOK_PAYLOAD_KIND,
    version: WEBHOOK_PAYLOAD_VERSION,
    event,
    schedule: { namespace: run.metadata.namespace ?? null, name: run.spec.scheduleRef.name },
    run: {
      name: run.metadata.name ?? null,
      uid: run.metadata.uid ?? null,
      trigger: run.spec.trigger,
      scheduledTime: run.spec.scheduledTime,
      phase: status.phase ?? null,
      reason: status.reason ?? null,
      message: status.message ?? null,
      startTime: status.startTime ?? null,
      completionTime: status.completionTime ?? null,
      durationSeconds: durationSeconds(run),
    },
    failOn: run.spec.jobTemplate.options?.fail_on ?? null,
    findings: status.findings === undefined ? null : { ...status.findings },
    topFindings: (status.topFindings ?? []).map(topFinding),
    tools: [...(status.tools ?? [])],
  };
}

function topFinding(finding: TopFinding): WebhookPayloadV1['topFindings'][number] {
  return {
    id: finding.id,
    severity: finding.severity,
    title: finding.title,
    location: finding.location ?? null,
    tool: finding.tool ?? null,
  };
}
