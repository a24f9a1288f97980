// The published shape of the package: after a build, `npx scanschedule` runs the compiled CLI and
// `import … from "scanschedule/core"` gives the pure API (docs/design.md §4.6) from dist/.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

const root = join(import.meta.dirname, '..');

describe('the built package', () => {
  before(() => {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
  });

  it('runs `npx scanschedule validate examples/` from dist/', () => {
    const out = spawnSync('npx', ['--no-install', 'scanschedule', 'validate', 'examples/'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(out.status, 0, out.stdout + out.stderr);
    assert.match(out.stdout, /^ok: \d+ objects in \d+ files valid$/m);
  });

  it('exports planSchedule, nextRunTimes and validateScanSchedule as scanschedule/core', () => {
    const script = `
      import { planSchedule, nextRunTimes, validateScanSchedule } from 'scanschedule/core';
      const times = nextRunTimes({ schedule: '30 2 * * *', timezone: 'America/New_York' },
        { from: new Date('2026-03-07T12:00:00Z'), count: 2 });
      console.log(JSON.stringify({
        plan: typeof planSchedule,
        times: times.map((t) => t.toISOString()),
        problems: validateScanSchedule({ apiVersion: 'jmo.security/v1alpha1', kind: 'ScanSchedule',
          metadata: { name: 'x' }, spec: { schedule: '0 0 30 2 *', jobTemplate: { targets: { repo: '/r' } } } })
          .map((p) => p.path),
      }));`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), {
      plan: 'function',
      times: ['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'],
      problems: ['spec.schedule'],
    });
  });
});
