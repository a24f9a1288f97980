// -o yaml|json prints objects as kubectl does: one object as itself, several as a v1 List.
import { stringify } from 'yaml';

export type OutputFormat = 'table' | 'wide' | 'yaml' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'wide', 'yaml', 'json'];

export function renderObjects(objects: readonly object[], format: 'yaml' | 'json', single: boolean): string {
  const value =
    single && objects.length === 1
      ? objects[0]
      : { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } };
  return format === 'json' ? `${JSON.stringify(value, null, 4)}\n` : stringify(value, { lineWidth: 0 });
}
