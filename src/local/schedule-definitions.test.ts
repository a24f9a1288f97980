import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScanSchedule } from '../api/types.ts';
import { readDefinitions } from './schedule-definitions.ts';

const yaml = (name: string, schedule = '@hourly'): string =>
  `apiVersion: jmo.security/v1alpha1\nkind: ScanSchedule\nmetadata:\n  name: ${name}\nspec:\n  schedule: "${schedule}"\n  backend: {type: local}\n  jobTemplate:\n    targets: {repo: /src}\n`;
const none = { texts: new Map<string, string>(), byFile: new Map<string, ScanSchedule[]>() };
const names = (byFile: Map<string, ScanSchedule[]>): string[] =>
  [...byFile.values()].flat().map((s) => `${s.metadata.namespace}/${s.metadata.name}`);

describe('readDefinitions: which schedules the watched files define', () => {
  it('valid files define their schedules, in the default namespace unless they set one', () => {
    const read = readDefinitions(
      [
        { file: 'a.yaml', text: yaml('a') },
        { file: 'b.yaml', text: yaml('b') },
      ],
      none,
      'team',
    );
    assert.deepEqual(names(read.byFile), ['team/a', 'team/b']);
    assert.deepEqual(read.errors, []);
  });

  it('a file edited into an error keeps its last good schedules and is reported once per edit', () => {
    const good = readDefinitions([{ file: 'a.yaml', text: yaml('a') }], none, 'default');
    const broken = [{ file: 'a.yaml', text: 'kind: [' }];
    const first = readDefinitions(broken, { texts: new Map([['a.yaml', yaml('a')]]), byFile: good.byFile }, 'default');
    assert.deepEqual(names(first.byFile), ['default/a']);
    assert.ok(first.errors.length > 0 && first.errors.every((e) => e.file === 'a.yaml'));
    const again = readDefinitions(broken, { texts: new Map([['a.yaml', 'kind: [']]), byFile: first.byFile }, 'default');
    assert.deepEqual(again.errors, []);
  });

  it('an invalid schedule in one file does not affect another', () => {
    const read = readDefinitions(
      [
        { file: 'a.yaml', text: yaml('a') },
        { file: 'b.yaml', text: yaml('b', 'not cron') },
      ],
      none,
      'default',
    );
    assert.deepEqual(names(read.byFile), ['default/a']);
    assert.ok(read.errors.some((e) => e.file === 'b.yaml' && e.path === 'spec.schedule'));
  });

  it('a file that is gone defines nothing', () => {
    const previous = readDefinitions([{ file: 'a.yaml', text: yaml('a') }], none, 'default');
    const read = readDefinitions([], { texts: new Map([['a.yaml', yaml('a')]]), byFile: previous.byFile }, 'default');
    assert.deepEqual(names(read.byFile), []);
  });
});
