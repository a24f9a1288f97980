// Schema validation of ScanSchedule and ScanRun objects with ajv, against the same schema objects the CRDs are
// generated from. Two additions make it match what `kubectl apply` + the API server do:
// - unknown fields are errors (kubectl's default --validate=strict), so typos do not vanish silently;
// - each CEL rule runs as its coded twin (cel-rules.ts), through an ajv keyword on the very node it sits on.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseScheduleText } from '../schedule/cron-grammar.ts';
import { timeZoneProblem } from '../schedule/time-zone.ts';
import { CEL_RULES, type CelRule, celRuleReportPath, celTwin } from './cel-rules.ts';
import { formatPath, type Problem } from './problem.ts';
import { type SchemaNode, scanRunSchema, scanScheduleSchema } from './schema.ts';

// metav1.ObjectMeta as the API server checks it; the CRD's metadata is just `type: object`.
const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const metadataSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN },
    namespace: { type: 'string', minLength: 1, maxLength: 63, pattern: DNS_LABEL },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

type JsonSchema = Record<string, unknown>;

/** Closes every object that lists its properties and does not preserve unknown fields, like strict field validation. */
function strictCopy(node: SchemaNode): JsonSchema {
  // Accessors are the API server's copies of coded checks (schema.ts apiServerOnly): validateScanSchedule runs
  // the checks themselves, with the controller's messages.
  const out: JsonSchema = {};
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(node))) {
    if (descriptor.get === undefined) out[key] = descriptor.value;
  }
  if (node.properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([key, child]) => [key, strictCopy(child)]),
    );
    if (node['x-kubernetes-preserve-unknown-fields'] !== true && node.additionalProperties === undefined) {
      out.additionalProperties = false;
    }
  }
  if (node.items !== undefined) out.items = strictCopy(node.items);
  if (typeof node.additionalProperties === 'object') out.additionalProperties = strictCopy(node.additionalProperties);
  return out;
}

// Without status: validation ignores it as `kubectl apply` does, and not compiling it halves the start-up cost
// of every offline command.
function rootSchema(schema: SchemaNode): JsonSchema {
  const strict = strictCopy(schema);
  const { status: _status, ...properties } = strict.properties as JsonSchema;
  strict.properties = { ...properties, metadata: metadataSchema };
  strict.required = ['apiVersion', 'kind', 'metadata', 'spec'];
  return strict;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, verbose: true });
  ajv.addFormat('date-time', (text: string) => RFC3339.test(text) && !Number.isNaN(Date.parse(text)));
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  for (const keyword of [
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
  ]) {
    ajv.addKeyword({ keyword });
  }
  ajv.addKeyword({
    keyword: 'x-kubernetes-validations',
    schemaType: 'array',
    error: { message: (cxt) => String((cxt.params as { message?: string } | undefined)?.message ?? 'invalid') },
    compile(rules: CelRule[]) {
      const twins = rules.map((rule) => {
        const twin = celTwin(rule.rule);
        // A rule without a twin would pass offline and fail in the cluster: refuse to build the validator.
        if (twin === undefined) throw new Error(`CEL rule has no coded twin in cel-rules.ts: ${rule.rule}`);
        return { rule, twin };
      });
      const validate = (data: unknown): boolean => {
        const errors: Partial<ErrorObject>[] = [];
        for (const { rule, twin } of twins) {
          if (!twin(data)) {
            errors.push({
              keyword: 'x-kubernetes-validations',
              message: rule.message,
              params: { rule: rule.rule, reportAt: celRuleReportPath(rule) },
            });
          }
        }
        (validate as unknown as { errors: Partial<ErrorObject>[] }).errors = errors;
        return errors.length === 0;
      };
      return validate;
    },
  });
  return ajv;
}

// Each kind is compiled when first needed: `validate` of schedules never pays for the ScanRun schema.
let ajvInstance: Ajv | undefined;
const compiled: { scanSchedule?: ValidateFunction; scanRun?: ValidateFunction } = {};
function validator(kind: 'scanSchedule' | 'scanRun'): ValidateFunction {
  ajvInstance ??= newAjv();
  const schema = kind === 'scanSchedule' ? scanScheduleSchema : scanRunSchema;
  compiled[kind] ??= ajvInstance.compile(rootSchema(schema));
  return compiled[kind];
}

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

function run(validate: ValidateFunction, obj: unknown): Problem[] {
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
  return [...run(validator('scanSchedule'), withoutStatus(obj)), ...kubernetesConfigProblems(obj)];
}

/** Problems with a ScanRun against the schema and its CEL rules; [] when it conforms. Status is ignored. */
export function schemaProblemsOfScanRun(obj: unknown): Problem[] {
  return run(validator('scanRun'), withoutStatus(obj));
}

const KUBERNETES_CONFIG_FIELDS = Object.keys(
  (scanScheduleSchema.properties?.spec?.properties?.backend?.properties?.config?.properties ?? {}) as object,
);

// backend.config keeps unknown fields for the other backends' own settings, so the schema cannot close it;
// for the kubernetes backend a stray key is almost always a typo that would silently do nothing.
function kubernetesConfigProblems(obj: unknown): Problem[] {
  const backend = valueAt(obj, ['spec', 'backend']);
  const type = valueAt(backend, ['type']) ?? 'kubernetes';
  const config = valueAt(backend, ['config']);
  if (type !== 'kubernetes' || typeof config !== 'object' || config === null || Array.isArray(config)) return [];
  return Object.keys(config)
    .filter((key) => !KUBERNETES_CONFIG_FIELDS.includes(key))
    .map((key) => {
      const segments = ['spec', 'backend', 'config', key];
      return {
        path: formatPath(segments),
        segments,
        message: `unknown field "${key}" for the kubernetes backend`,
        fix: `Remove it or fix the spelling; known fields: ${KUBERNETES_CONFIG_FIELDS.join(', ')}.`,
      };
    });
}
