// -o yaml|json prints objects as kubectl does: one object as itself, several as a v1 List, and without
// metadata.managedFields (kubectl hides them too unless --show-managed-fields): pages of noise for a reader.
import { stringify } from 'yaml';

export type OutputFormat = 'table' | 'wide' | 'yaml' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'wide', 'yaml', 'json'];

/** The object without metadata.managedFields; the rest untouched. */
export function withoutManagedFields<T extends object>(object: T): T {
  const metadata = (object as { metadata?: Record<string, unknown> }).metadata;
  if (metadata === undefined || !('managedFields' in metadata)) return object;
  const { managedFields: _hidden, ...rest } = metadata;
  return { ...object, metadata: rest };
}

export function renderObjects(objects: readonly object[], format: 'yaml' | 'json', single: boolean): string {
  const shown = objects.map(withoutManagedFields);
  const value =
    single && shown.length === 1
      ? shown[0]
      : { apiVersion: 'v1', kind: 'List', items: shown, metadata: { resourceVersion: '' } };
  return format === 'json' ? `${JSON.stringify(value, null, 4)}\n` : stringify(value, { lineWidth: 0 });
}
