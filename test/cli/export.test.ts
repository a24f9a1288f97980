// `scanschedule export`: the command as a user runs it, spawned: output, warnings on stderr, -o, exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const example = (name: string): string => join(root, 'examples', name);
const scratch = mkdtempSync(join(tmpdir(), 'scanschedule-export-'));

function cli(args: string[], input?: string): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [join(root, 'src', 'cli', 'main.ts'), 'export', ...args], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
    env: { ...process.env, KUBECONFIG: join(scratch, 'no-such-kubeconfig') },
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('scanschedule export', () => {
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('prints a GitHub workflow with the cron and its IANA timezone, and exits 0', () => {
    const result = cli([example('weekly-monday-berlin.yaml'), '--to', 'github-actions']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /- cron: 0 2 \* \* 1\n\s+timezone: Europe\/Berlin/);
    assert.match(result.stdout, /security-events: write/);
  });
  it('converts to UTC with --utc and warns about daylight saving on stderr', () => {
    const result = cli([example('weekly-monday-berlin.yaml'), '--to', 'github-actions', '--utc']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /- cron: 0 1 \* \* 1\n/);
    assert.doesNotMatch(result.stdout, /^\s+timezone:/m);
    assert.match(result.stderr, /^warning: spec\.timezone: converted to UTC/m);
  });
  it('prints the glab call that creates the GitLab pipeline schedule on stderr', () => {
    const result = cli([example('nightly.yaml'), '--to', 'gitlab-ci']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stderr,
      /^next: glab api --method POST "projects\/:id\/pipeline_schedules" .*-f cron='0 2 \* \* \*' -f cron_timezone=UTC/m,
    );
    assert.match(result.stdout, /resource_group: scanschedule-default-nightly-scan/);
  });
  it('reads stdin with - and writes -o PATH', () => {
    const out = join(scratch, 'cronjob.yaml');
    const result = cli(['-', '--to', 'cronjob', '-o', out], readFileSync(example('nightly.yaml'), 'utf8'));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(readFileSync(out, 'utf8'), /kind: CronJob[\s\S]*timeZone: UTC/);
  });
  it('exports a suspended schedule disabled, with a warning', () => {
    const result = cli([example('suspended.yaml'), '--to', 'github-actions']);
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /^\s+schedule:/m);
    assert.match(result.stderr, /^warning: spec\.suspend/m);
  });
  it('exits 1 for an invalid schedule, naming the field', () => {
    const bad =
      'apiVersion: jmo.security/v1alpha1\nkind: ScanSchedule\nmetadata: {name: bad}\nspec:\n  schedule: "61 * * * *"\n  jobTemplate: {targets: {repo: /r}}\n';
    const result = cli(['-', '--to', 'crontab'], bad);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /spec\.schedule/);
    assert.equal(result.stdout, '');
  });
  it('exits 2 for an unknown target', () => {
    const result = cli([example('nightly.yaml'), '--to', 'jenkins']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--to jenkins: use one of github-actions, gitlab-ci, crontab, cronjob/);
  });
  it('is a usage error without --to', () => {
    const result = cli([example('nightly.yaml')]);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /required option '--to <target>'/);
  });
});
