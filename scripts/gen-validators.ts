// The text of src/api/generated/validators.ts, which gen-crds.ts writes on `npm run gen`: ajv's standalone code
// for the schemas validate.ts checks ScanSchedules and ScanRuns against, so that no command compiles a schema
// when it starts (compiling took about 120 ms of every `validate` and `next`).
// src/api/generated-validators.test.ts fails when the file drifts.
import { join } from 'node:path';
import { _, Ajv, type CodeKeywordDefinition, stringify } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { type CelRule, celRuleReportPath, celTwin } from '../src/api/cel-rules.ts';
import { type SchemaNode, scanRunSchema, scanScheduleSchema } from '../src/api/schema.ts';
import { SCHEMA_FORMATS } from '../src/api/schema-formats.ts';

export const GENERATED_VALIDATORS = join(import.meta.dirname, '..', 'src', 'api', 'generated', 'validators.ts');

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

// Without status: validation ignores it as `kubectl apply` does (validate.ts drops it before checking).
function rootSchema(schema: SchemaNode): JsonSchema {
  const strict = strictCopy(schema);
  const { status: _status, ...properties } = strict.properties as JsonSchema;
  strict.properties = { ...properties, metadata: metadataSchema };
  strict.required = ['apiVersion', 'kind', 'metadata', 'spec'];
  return strict;
}

// Each CEL rule runs as its coded twin on the node it sits on. The generated module imports celTwin and looks
// each twin up by the rule's text once, when it loads.
const celValidations: CodeKeywordDefinition = {
  keyword: 'x-kubernetes-validations',
  schemaType: 'array',
  error: {
    message: ({ params }) => _`${params.message ?? 'invalid'}`,
    params: ({ params }) => _`{rule: ${params.rule}, reportAt: ${params.reportAt}}`,
  },
  code(cxt) {
    for (const rule of cxt.schema as CelRule[]) {
      const twin = celTwin(rule.rule);
      // A rule without a twin would pass offline and fail in the cluster: refuse to build the validator.
      if (twin === undefined) throw new Error(`CEL rule has no coded twin in cel-rules.ts: ${rule.rule}`);
      const twinName = cxt.gen.scopeValue('keyword', { ref: twin, code: _`celTwin(${rule.rule})` });
      cxt.gen.if(_`!${twinName}(${cxt.data})`, () =>
        cxt.error(false, {
          message: rule.message,
          rule: rule.rule,
          reportAt: stringify(celRuleReportPath(rule)),
        }),
      );
    }
  },
};

function newAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    verbose: true,
    code: { source: true, esm: true, lines: true, formats: _`SCHEMA_FORMATS` },
  });
  for (const [name, format] of Object.entries(SCHEMA_FORMATS)) ajv.addFormat(name, format);
  for (const keyword of [
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
  ]) {
    ajv.addKeyword({ keyword });
  }
  ajv.addKeyword(celValidations);
  return ajv;
}

/** The text of src/api/generated/validators.ts. */
export function renderValidators(): string {
  const ajv = newAjv();
  ajv.addSchema(rootSchema(scanScheduleSchema), 'scanSchedule');
  ajv.addSchema(rootSchema(scanRunSchema), 'scanRun');
  const code = standalone.default(ajv, { scanSchedule: 'scanSchedule', scanRun: 'scanRun' });
  const imports = [
    code.includes('celTwin(') ? "import { celTwin } from '../cel-rules.ts';" : '',
    code.includes('SCHEMA_FORMATS') ? "import { SCHEMA_FORMATS } from '../schema-formats.ts';" : '',
    // ajv's ESM output still loads its run-time helpers (ucs2length for minLength) with require():
    // github.com/ajv-validator/ajv/issues/2209.
    code.includes('require(')
      ? "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);"
      : '',
  ].filter((line) => line !== '');
  // The keys validate.ts accepts in backend.config of the kubernetes backend, here so that validating never
  // loads schema.ts (which builds the CRD-only schedule pattern when it loads).
  const kubernetesConfig = scanScheduleSchema.properties?.spec?.properties?.backend?.properties?.config;
  const fields = `export const kubernetesConfigFields = ${JSON.stringify(Object.keys(kubernetesConfig?.properties ?? {}))};`;
  return [
    '// @ts-nocheck',
    '// Generated by scripts/gen-validators.ts (npm run gen) from src/api/schema.ts: ajv standalone code. Do not edit.',
    "// Type-checking is off: the code is ajv's; validate.ts gives the two exports their type.",
    ...imports,
    code,
    fields,
    '',
  ].join('\n');
}
