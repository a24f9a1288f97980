// Schema validation of ScanSchedule and ScanRun objects, against the same schema objects the CRDs are
// generated from, by ajv's standalone code that scripts/gen-validators.ts writes into generated/validators.ts
// (npm run gen): no command pays for compiling the schema when it starts. The generator adds two things that make
// it match what `kubectl apply` + the API server do:
// - unknown fields are errors (kubectl's default --validate=strict), so typos do not vanish silently;
// - each CEL rule runs as its coded twin (cel-rules.ts), through an ajv keyword on the very node it sits on.
// This module turns ajv's errors into Problems a user can act on.
import type { ErrorObject } from 'ajv';
import { parseScheduleText } from '../schedule/cron-grammar.ts';
import { timeZoneProblem } from '../schedule/time-zone.ts';
import { CEL_RULES } from './cel-rules.ts';
import { kubernetesConfigFields, scanRun, scanSchedule } from './generated/validators.ts';
import { formatPath, type Problem } from './problem.ts';

/** An ajv validation function: true when the object conforms, else false with its errors. */
interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const validators: Record<'scanSchedule' | 'scanRun', Validator> = { scanSchedule, scanRun };

type JsonSchema = Record<string, unknown>;

function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function valueAt(root: unknown, segments: readonly (string | number)[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** Turns one ajv error into a Problem that names the field, what is wrong, and the fix. */
function toProblem(error: ErrorObject, root: unknown): Problem {
  const at = pointerSegments(error.instancePath);
  const got = valueAt(root, at);
  const params = error.params as Record<string, unknown>;
  const problem = (segments: (string | number)[], message: string, fix: string): Problem => ({
    path: formatPath(segments),
    segments,
    message,
    fix,
  });
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as JsonSchema | undefined)?.properties ?? {});
      return problem(
        [...at, field],
        `unknown field "${field}"`,
        `Remove it or fix the spelling; known fields here: ${known.join(', ')}.`,
      );
    }
    case 'required': {
      const field = String(params.missingProperty);
      return problem([...at, field], `missing required field "${field}"`, `Add ${formatPath([...at, field])}.`);
    }
    case 'enum': {
      if (at.at(-1) === 'timezone') {
        // Not a string: the type error says it; this copy of its message is dropped as a duplicate in run().
        return typeof got === 'string'
          ? timeZoneEnumProblem(at, got)
          : problem(at, `must be string, got ${describe(got)}`, '');
      }
      const allowed = (params.allowedValues as unknown[]).map(String);
      return problem(at, `${describe(got)} is not allowed`, `Use one of: ${allowed.join(', ')}.`);
    }
    case 'type':
      return problem(at, `must be ${String(params.type)}, got ${describe(got)}`, '');
    case 'minimum':
    case 'maximum':
      return problem(at, `must be ${String(params.comparison)} ${String(params.limit)}, got ${describe(got)}`, '');
    case 'minLength':
      return problem(
        at,
        Number(params.limit) === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`,
        '',
      );
    case 'maxLength':
      return problem(at, `must be at most ${String(params.limit)} characters (has ${String(got).length})`, '');
    case 'minProperties':
      return at.at(-1) === 'targets'
        ? problem(at, 'names no target', 'Set at least one of repo, repos_dir, images, urls, k8s_context.')
        : problem(at, `must have at least ${String(params.limit)} field(s)`, '');
    case 'format':
      return problem(
        at,
        `${describe(got)} is not a valid ${String(params.format)}`,
        params.format === 'date-time' ? 'Use RFC 3339, e.g. 2026-05-19T10:00:00Z.' : '',
      );
    case 'pattern':
      if (at.at(-1) === 'schedule' && typeof got === 'string') return schedulePatternProblem(at, got);
      return problem(at, `${describe(got)} is not valid`, patternFix(at, String(params.pattern)));
    case 'x-kubernetes-validations': {
      const segments = [...at, ...(params.reportAt as string[])];
      return problem(segments, error.message ?? 'invalid', '');
    }
    default:
      return problem(at, error.message ?? 'is invalid', '');
  }
}

// spec.schedule's pattern and spec.timezone's enum are the API server's copy of the controller's checks
// (schedule-pattern.ts, time-zone-names.ts); the controller's own messages say which part is wrong and how to
// write it, where ajv could only print a 6 KB regex or 600 zone names.
function schedulePatternProblem(at: (string | number)[], got: string): Problem {
  const path = formatPath(at);
  if (got !== got.trim()) {
    return { path, segments: at, message: `${JSON.stringify(got)} has whitespace around it`, fix: 'Remove it.' };
  }
  // The CEL rule reports TZ= already; the same words make run() keep one of the two.
  if (/(CRON_)?TZ=/.test(got)) return { path, segments: at, message: CEL_RULES.noTimezoneInSchedule.message, fix: '' };
  const parsed = parseScheduleText(got);
  const { message, fix } =
    'problem' in parsed
      ? parsed.problem
      : { message: `${JSON.stringify(got)} is not a valid schedule`, fix: 'Write 5 cron fields or a descriptor.' };
  return { path, segments: at, message, fix };
}

function timeZoneEnumProblem(at: (string | number)[], got: string): Problem {
  const { message, fix } = timeZoneProblem(got) ?? {
    message: `unknown time zone ${JSON.stringify(got)}`,
    fix: 'Use an IANA time zone name such as "Europe/Berlin", or "UTC".',
  };
  return { path: formatPath(at), segments: at, message, fix };
}

function patternFix(at: readonly (string | number)[], pattern: string): string {
  const field = at.at(-1);
  if (field === 'interval') return 'Use a duration such as 15m, 1h or 1h30m.';
  if (field === 'url' || at.at(-2) === 'urls') return 'Use an http:// or https:// URL.';
  if (field === 'name' && at[0] === 'metadata') {
    return 'Use lowercase letters, digits, "-" and ".", starting and ending with a letter or digit.';
  }
  if (field === 'namespace')
    return 'Use lowercase letters, digits and "-", starting and ending with a letter or digit.';
  return `It must match ${pattern}.`;
}

function run(validate: Validator, obj: unknown): Problem[] {
  if (validate(obj)) return [];
  const problems = (validate.errors ?? []).map((error) => toProblem(error, obj));
  // ajv reports some errors twice through different schema branches; keep the first of each.
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The object as the API server checks it on create and apply: with the status subresource on, status in the
 * request is dropped unchecked (only the controller writes it, through /status). A manifest copied from
 * `kubectl get -o yaml`, or the seed document with `lastScheduleTime: null`, must not fail on it.
 */
function withoutStatus(obj: unknown): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || !('status' in obj)) return obj;
  const { status: _ignored, ...rest } = obj as Record<string, unknown>;
  return rest;
}

/** Problems with a ScanSchedule against the schema and its CEL rules; [] when it conforms. Status is ignored. */
export function schemaProblemsOfScanSchedule(obj: unknown): Problem[] {
  return [...run(validators.scanSchedule, withoutStatus(obj)), ...kubernetesConfigProblems(obj)];
}

/** Problems with a ScanRun against the schema and its CEL rules; [] when it conforms. Status is ignored. */
export function schemaProblemsOfScanRun(obj: unknown): Problem[] {
  return run(validators.scanRun, withoutStatus(obj));
}

// backend.config keeps unknown fields for the other backends' own settings, so the schema cannot close it;
// for the kubernetes backend a stray key is almost always a typo that would silently do nothing. The known keys
// come from the schema through the generated module, so that validating does not load schema.ts.
function kubernetesConfigProblems(obj: unknown): Problem[] {
  const backend = valueAt(obj, ['spec', 'backend']);
  const type = valueAt(backend, ['type']) ?? 'kubernetes';
  const config = valueAt(backend, ['config']);
  if (type !== 'kubernetes' || typeof config !== 'object' || config === null || Array.isArray(config)) return [];
  return Object.keys(config)
    .filter((key) => !kubernetesConfigFields.includes(key))
    .map((key) => {
      const segments = ['spec', 'backend', 'config', key];
      return {
        path: formatPath(segments),
        segments,
        message: `unknown field "${key}" for the kubernetes backend`,
        fix: `Remove it or fix the spelling; known fields: ${kubernetesConfigFields.join(', ')}.`,
      };
    });
}
