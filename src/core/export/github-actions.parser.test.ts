// The github-actions export of every example is accepted by GitHub's own workflow parser, the one its editor
// tooling uses (@actions/workflow-parser 0.3.61, whose cron-mapping has the `timezone` key): no errors.
import assert from 'node:assert/strict';
import { registerHooks } from 'node:module';
import { describe, it } from 'node:test';
import { exampleSchedules, GOLDEN_NOW } from '../../../test/golden/export/golden-cases.ts';
import { exportSchedule } from './index.ts';

// The package imports its JSON schema without `with { type: 'json' }`, which Node's ESM loader refuses.
registerHooks({
  load: (url, context, nextLoad) =>
    url.endsWith('.json') ? nextLoad(url, { ...context, importAttributes: { type: 'json' } }) : nextLoad(url, context),
});
const { NoOperationTraceWriter, parseWorkflow } = await import('@actions/workflow-parser');

function parserErrors(content: string): string[] {
  const result = parseWorkflow({ name: '.github/workflows/scan.yml', content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((error) => error.message);
}

describe('export --to github-actions: accepted by @actions/workflow-parser', () => {
  for (const { example, schedule } of exampleSchedules()) {
    for (const utc of [false, true]) {
      it(`${example}${utc ? ' --utc' : ''}`, () => {
        const { text } = exportSchedule(schedule, 'github-actions', { utc, now: GOLDEN_NOW });
        assert.deepEqual(parserErrors(text), []);
      });
    }
  }
  it('reports an unknown key next to cron (the check can fail)', () => {
    const bad =
      'on:\n  schedule:\n    - cron: "0 2 * * 1"\n      zone: Europe/Berlin\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n';
    assert.notDeepEqual(parserErrors(bad), []);
  });
});
