// The `format`s the schema uses, checked as the API server checks them. The validators generated from the
// schema (generated/validators.ts) call these at run time; scripts/gen-validators.ts registers them with ajv.
import type { Format } from 'ajv';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export const SCHEMA_FORMATS = {
  'date-time': (text: string) => RFC3339.test(text) && !Number.isNaN(Date.parse(text)),
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 },
  int64: { type: 'number', validate: (n: number) => Number.isSafeInteger(n) },
} satisfies Record<string, Format>;
