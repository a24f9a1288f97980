// `kubectl scanschedule ...`: the package's kubectl-scanschedule entry point, linked onto the PATH as npm links
// bins, is found by `kubectl plugin list` and runs with "kubectl scanschedule" in its usage.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { root } from './cli-process.ts';

const binDir = mkdtempSync(join(tmpdir(), 'scanschedule-plugin-'));
symlinkSync(join(root, 'bin', 'kubectl-scanschedule.js'), join(binDir, 'kubectl-scanschedule'));
// This Node first, for the plugin's #!/usr/bin/env node; then the system PATH, for kubectl.
const env = { ...process.env, PATH: [binDir, dirname(process.execPath), process.env.PATH ?? ''].join(delimiter) };

function kubectl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('kubectl', args, { env, encoding: 'utf8', timeout: 60_000 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('kubectl plugin', () => {
  it('kubectl plugin list finds kubectl-scanschedule', () => {
    const out = kubectl(['plugin', 'list']);
    assert.ok(out.stdout.includes(join(binDir, 'kubectl-scanschedule')), `${out.stdout}\n${out.stderr}`);
    assert.doesNotMatch(out.stderr, /warning: .*kubectl-scanschedule/);
  });
  it('kubectl scanschedule --help runs it, named as kubectl names it', () => {
    const out = kubectl(['scanschedule', '--help']);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^Usage: kubectl scanschedule /);
  });
  it('kubectl scanschedule validate works offline', () => {
    const out = kubectl(['scanschedule', 'validate', join(root, 'examples', 'nightly.yaml')]);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /ok: 1 object in 1 file valid/);
  });
});
