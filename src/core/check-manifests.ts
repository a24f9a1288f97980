// Offline validation of manifest files: the same rules the API server and the controller apply, reported as
// file:line:col with the field and the fix. Pure: the CLI reads the files and prints what this returns.
import type { Problem } from '../api/problem.ts';
import { API_VERSION, GROUP, SCAN_RUN_KIND, SCAN_SCHEDULE_KIND } from '../api/types.ts';
import { schemaProblemsOfScanRun } from '../api/validate.ts';
import { parseYamlDocuments, type YamlDocument } from '../api/yaml-documents.ts';
import { zoneAdvice } from '../schedule/zone-advice.ts';
import { withSuggestion } from './did-you-mean.ts';
import { validateScanSchedule } from './validate.ts';

export interface ManifestSource {
  /** As given by the user (a path, or "-" / "<stdin>"). */
  file: string;
  text: string;
}

export type FindingSeverity = 'error' | 'warning' | 'note';

export interface Finding {
  severity: FindingSeverity;
  file: string;
  line: number;
  column: number;
  /** kind/namespace/name when the document names itself. */
  object?: string;
  path: string;
  message: string;
  fix: string;
}

export interface CheckOptions {
  /** Documents of other kinds are errors instead of notes. */
  strict: boolean;
  /** Namespace assumed for objects that do not set one (kubectl's default namespace). */
  defaultNamespace: string;
}

export interface CheckResult {
  findings: Finding[];
  /** ScanSchedules and ScanRuns that were checked, valid or not. */
  checked: number;
  /** Documents skipped because they are of another kind. */
  skipped: number;
}

interface Located {
  source: ManifestSource;
  doc: YamlDocument;
  value: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function checkManifests(sources: readonly ManifestSource[], options: CheckOptions): CheckResult {
  const findings: Finding[] = [];
  let checked = 0;
  let skipped = 0;
  const firstSeen = new Map<string, { file: string; line: number }>();

  const finding = (
    source: ManifestSource,
    doc: YamlDocument | undefined,
    segments: readonly (string | number)[],
    rest: Omit<Finding, 'file' | 'line' | 'column'>,
  ): void => {
    const position = doc === undefined ? { line: 1, column: 1 } : doc.locate(segments);
    findings.push({ file: source.file, ...position, ...rest });
  };

  for (const source of sources) {
    if (source.text.trim() === '') {
      finding(source, undefined, [], {
        severity: 'error',
        path: '',
        message: 'the file is empty',
        fix: 'Add a ScanSchedule, or leave the file out.',
      });
      continue;
    }
    const documents = parseYamlDocuments(source.text);
    let objects = 0;
    for (const doc of documents) {
      if (doc.syntaxErrors.length > 0) {
        // One finding per kind of mistake: a tab-indented file is one error, not one per line.
        const byMessage = new Map<string, (typeof doc.syntaxErrors)[number][]>();
        for (const error of doc.syntaxErrors)
          byMessage.set(error.message, [...(byMessage.get(error.message) ?? []), error]);
        for (const [message, [error, ...repeats]] of byMessage) {
          if (error === undefined) continue;
          const also =
            repeats.length === 0
              ? ''
              : ` (also on line${repeats.length === 1 ? '' : 's'} ${listLines(repeats.map((r) => r.line))})`;
          findings.push({
            severity: 'error',
            file: source.file,
            line: error.line,
            column: error.column,
            path: '',
            message: `YAML syntax error: ${message}${also}`,
            fix: error.fix,
          });
        }
        continue;
      }
      // `---` at the end of a file, or between two separators, is an empty document: kubectl skips it too.
      if (doc.value === undefined || doc.value === null) continue;
      objects++;
      if (Array.isArray(doc.value) && !doc.value.some(looksLikeAnObject)) {
        // A YAML/JSON list of other things (an Ansible play, a JSON array): not meant for Kubernetes at all.
        finding(source, doc, [], notKubernetes(options, 'a list of other things, not Kubernetes objects'));
        skipped++;
        continue;
      }
      if (!isRecord(doc.value)) {
        finding(source, doc, [], {
          severity: 'error',
          path: '',
          message: `document ${doc.index + 1} is ${Array.isArray(doc.value) ? 'a list' : `the scalar ${JSON.stringify(doc.value)}`}, not a Kubernetes object`,
          fix: 'Each document must be a mapping with apiVersion, kind, metadata and spec.',
        });
        continue;
      }
      for (const item of expandLists({ source, doc, value: doc.value })) {
        const outcome = checkObject(item, options, finding, firstSeen);
        if (outcome === 'checked') checked++;
        else skipped++;
      }
    }
    if (objects === 0 && !findings.some((f) => f.file === source.file)) {
      finding(source, undefined, [], {
        severity: 'error',
        path: '',
        message: 'the file holds no documents (only comments or separators)',
        fix: 'Add a ScanSchedule, or leave the file out.',
      });
    }
  }
  return { findings, checked, skipped };
}

/** "3, 4, 5" or "3, 4, 5 and 12 more". */
/** Channels of a spec that carry an inline `url`: [index, type]. */
function inlineUrlChannels(spec: Record<string, unknown>): [number, string][] {
  const template = isRecord(spec.jobTemplate) ? spec.jobTemplate : {};
  const notifications = isRecord(template.notifications) ? template.notifications : {};
  const channels = Array.isArray(notifications.channels) ? notifications.channels : [];
  const found: [number, string][] = [];
  channels.forEach((channel: unknown, index) => {
    if (isRecord(channel) && typeof channel.url === 'string') found.push([index, String(channel.type ?? 'channel')]);
  });
  return found;
}

function listLines(lines: readonly number[]): string {
  const shown = lines.slice(0, 5).join(', ');
  return lines.length > 5 ? `${shown} and ${lines.length - 5} more` : shown;
}

const looksLikeAnObject = (item: unknown): boolean => isRecord(item) && ('apiVersion' in item || 'kind' in item);

function notKubernetes(options: CheckOptions, why: string): Omit<Finding, 'file' | 'line' | 'column'> {
  return {
    severity: options.strict ? 'error' : 'note',
    path: '',
    message: `skipped: not a Kubernetes object (${why})`,
    fix: options.strict
      ? 'Leave files that are not manifests out of the paths given to validate, or drop --strict.'
      : '',
  };
}

/** kubectl accepts `kind: List` (and `*List`) with the objects in `items`. */
function expandLists(located: Located): Located[] {
  const { value } = located;
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    return value.items.flatMap((item, index) =>
      isRecord(item) ? [{ ...located, value: item, doc: shiftedDocument(located.doc, ['items', index]) }] : [],
    );
  }
  return [located];
}

function shiftedDocument(doc: YamlDocument, prefix: readonly (string | number)[]): YamlDocument {
  return { ...doc, locate: (segments) => doc.locate([...prefix, ...segments]) };
}

type Report = (
  source: ManifestSource,
  doc: YamlDocument,
  segments: readonly (string | number)[],
  rest: Omit<Finding, 'file' | 'line' | 'column'>,
) => void;

function checkObject(
  { source, doc, value }: Located,
  options: CheckOptions,
  report: Report,
  firstSeen: Map<string, { file: string; line: number }>,
): 'checked' | 'skipped' {
  const apiVersion = value.apiVersion;
  const kind = value.kind;
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : options.defaultNamespace;
  const object = `${String(kind)}/${namespace}/${name}`;

  if (apiVersion === undefined && kind === undefined) {
    // Helm values, package.json, CI configs: files that happen to be YAML or JSON, skipped like other kinds.
    report(source, doc, [], { ...notKubernetes(options, 'no apiVersion and kind'), object: undefined });
    return 'skipped';
  }
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    const missing = typeof apiVersion !== 'string' ? 'apiVersion' : 'kind';
    report(source, doc, [missing], {
      severity: 'error',
      path: missing,
      message: `missing ${missing}: this is not a Kubernetes object`,
      fix: `Add ${missing}${missing === 'kind' ? ': ScanSchedule' : `: ${API_VERSION}`}.`,
    });
    return 'checked';
  }
  const ours = kind === SCAN_SCHEDULE_KIND || kind === SCAN_RUN_KIND;
  if (!ours || apiVersion.split('/')[0] !== GROUP) {
    if (ours || apiVersion.split('/')[0] === GROUP) {
      report(source, doc, ['apiVersion'], {
        severity: 'error',
        object,
        path: 'apiVersion',
        message: `${apiVersion} ${kind} is not a kind scanschedule serves`,
        fix: `Use apiVersion: ${API_VERSION} with kind ScanSchedule or ScanRun.`,
      });
      return 'checked';
    }
    report(source, doc, ['kind'], {
      severity: options.strict ? 'error' : 'note',
      object,
      path: 'kind',
      message: `skipped ${apiVersion} ${kind}: not a ScanSchedule`,
      fix: options.strict ? 'Leave other kinds out of the files given to validate, or drop --strict.' : '',
    });
    return 'skipped';
  }
  if (apiVersion !== API_VERSION) {
    report(source, doc, ['apiVersion'], {
      severity: 'error',
      object,
      path: 'apiVersion',
      message: `apiVersion ${apiVersion} is not served`,
      fix: `Use apiVersion: ${API_VERSION}.`,
    });
    return 'checked';
  }

  const problems: Problem[] =
    kind === SCAN_SCHEDULE_KIND ? validateScanSchedule(value) : schemaProblemsOfScanRun(value);
  for (const problem of problems) {
    report(source, doc, problem.segments ?? [], {
      severity: 'error',
      object,
      path: problem.path,
      message: problem.message,
      fix: withSuggestion(problem.message, problem.fix),
    });
  }
  const spec = isRecord(value.spec) ? value.spec : {};
  const advice =
    kind === SCAN_SCHEDULE_KIND && typeof spec.timezone === 'string' && problems.length === 0
      ? zoneAdvice(spec.timezone)
      : undefined;
  if (advice !== undefined) {
    report(source, doc, ['spec', 'timezone'], {
      severity: 'warning',
      object,
      path: 'spec.timezone',
      message: advice.message,
      fix: advice.fix,
    });
  }

  // An inline URL works, but it is a secret in plain text wherever the schedule is (Git, `kubectl get -o yaml`).
  for (const [index, channel] of inlineUrlChannels(kind === SCAN_SCHEDULE_KIND ? spec : {})) {
    report(source, doc, ['spec', 'jobTemplate', 'notifications', 'channels', index, 'url'], {
      severity: 'warning',
      object,
      path: `spec.jobTemplate.notifications.channels[${index}].url`,
      message: `the ${channel} URL is written inline: anyone who can read this file or the ScanSchedule can post to it`,
      fix: 'Put the URL in a Secret and use urlFrom.secretKeyRef {name, key} instead.',
    });
  }

  if (value.status !== undefined) {
    report(source, doc, ['status'], {
      severity: 'note',
      object,
      path: 'status',
      message: 'status is ignored on apply: the controller writes it, so it was not checked',
      fix: '',
    });
  }

  if (name !== '') {
    const key = `${kind}/${namespace}/${name}`;
    const first = firstSeen.get(key);
    const here = doc.locate(['metadata', 'name']);
    if (first === undefined) {
      firstSeen.set(key, { file: source.file, line: here.line });
    } else {
      report(source, doc, ['metadata', 'name'], {
        severity: 'error',
        object,
        path: 'metadata.name',
        message: `${kind} ${namespace}/${name} is defined twice (first at ${first.file}:${first.line}); the second apply would overwrite the first`,
        fix: 'Rename one of them or remove the duplicate.',
      });
    }
  }
  return 'checked';
}
