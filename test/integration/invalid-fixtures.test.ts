// Every invalid fixture that says `# apiserver: <substring>` is rejected by kube-apiserver with that substring.
// Until test/fixtures/invalid/ has such fixtures, a few written here keep the test meaningful.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, kubectl } from '../controlplane/kubectl.ts';
import { type InvalidFixture, readInvalidFixtures } from './invalid-fixtures.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'invalid');
const NAMESPACE = 'invalid-fixtures';

/** A ScanSchedule fixture: header comment lines, then a manifest whose spec has `specLines` before jobTemplate. */
const fixture = (headers: string[], specLines: string[]): string =>
  [
    ...headers.map((line) => `# ${line}`),
    'apiVersion: jmo.security/v1alpha1',
    'kind: ScanSchedule',
    'metadata:',
    '  name: broken',
    'spec:',
    ...specLines.map((line) => `  ${line}`),
    '  jobTemplate:',
    '    targets:',
    '      repo: /repos/app',
    '',
  ].join('\n');

const BUILT_IN: Record<string, string> = {
  'schedule-and-interval.yaml': fixture(
    [
      'mistake: sets both schedule and interval',
      'validate: spec.schedule or spec.interval',
      'apiserver: set exactly one of spec.schedule or spec.interval',
    ],
    ['schedule: "0 2 * * *"', 'interval: 1h'],
  ),
  'unknown-concurrency-policy.yaml': fixture(
    [
      'mistake: concurrencyPolicy is not one of Allow, Forbid, Replace',
      'validate: concurrencyPolicy',
      'apiserver: Unsupported value: "Sometimes"',
    ],
    ['schedule: "0 2 * * *"', 'concurrencyPolicy: Sometimes'],
  ),
  'misspelled-field.yaml': fixture(
    ['mistake: spec.schedule spelled scheduel', 'validate: scheduel', 'apiserver: scheduel'],
    ['interval: 1h', 'scheduel: "0 2 * * *"'],
  ),
  // Filtered out below: kube-apiserver does not parse cron expressions.
  'minute-out-of-range.yaml': fixture(['mistake: minute 61', 'validate: minute'], ['schedule: "61 2 * * *"']),
};

function fixturesToApply(): { fixtures: InvalidFixture[]; cleanup: () => void } {
  const real = readInvalidFixtures(FIXTURES);
  if (real.some((f) => f.apiserver !== undefined)) return { fixtures: real, cleanup: () => {} };
  const directory = mkdtempSync(join(tmpdir(), 'scanschedule-invalid-'));
  for (const [file, text] of Object.entries(BUILT_IN)) writeFileSync(join(directory, file), text);
  return {
    fixtures: [...real, ...readInvalidFixtures(directory)],
    cleanup: () => rmSync(directory, { recursive: true, force: true }),
  };
}

const { fixtures, cleanup } = fixturesToApply();
const checked = fixtures.filter((f): f is InvalidFixture & { apiserver: string } => f.apiserver !== undefined);

describe('invalid fixtures against kube-apiserver', () => {
  let controlPlane: ControlPlane;
  before(async () => {
    controlPlane = await startControlPlane();
    const created = await kubectl(controlPlane, ['create', 'namespace', NAMESPACE]);
    assert.equal(created.code, 0, describeKubectl(created));
  });
  after(async () => {
    cleanup();
    await controlPlane?.stop();
  });

  it('has fixtures the API server can catch', () => {
    assert.ok(checked.length > 0, 'no fixture with a "# apiserver:" header');
  });

  for (const fixture of checked) {
    it(`rejects ${fixture.file} (${fixture.mistake ?? 'no # mistake: header'})`, async () => {
      const result = await kubectl(controlPlane, ['apply', '--server-side', '-n', NAMESPACE, '-f', fixture.path]);
      assert.notEqual(result.code, 0, `expected a rejection, but it was accepted\n${describeKubectl(result)}`);
      assert.ok(
        result.stderr.includes(fixture.apiserver),
        `expected stderr to contain ${JSON.stringify(fixture.apiserver)} (from # apiserver:)\n${describeKubectl(result)}`,
      );
    });
  }
});
