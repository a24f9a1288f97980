// On a Node older than 22.19 (the machines ship Node 20) the installed command says in one line what to run,
// instead of crashing in the Kubernetes client with a stack trace.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { root, runCli } from './cli-process.ts';

const oldNode = '/usr/bin/node';

describe('bin/scanschedule.js', () => {
  it('has an old Node to test with', () => assert.ok(existsSync(oldNode), `${oldNode} is missing`));
  for (const script of ['scanschedule.js', 'kubectl-scanschedule.js']) {
    it(`${script} on ${oldNode} names the fix in one line and exits 2`, () => {
      const out = runCli(['validate', 'examples/'], { node: oldNode, script: join(root, 'bin', script) });
      const version = runCli(['-p', 'process.versions.node'], { node: oldNode, script: '-e' });
      assert.ok(Number(version.stdout.split('.')[0]) < 22, `${oldNode} is ${version.stdout}`);
      assert.equal(out.status, 2);
      assert.equal(out.stderr.trim().split('\n').length, 1, out.stderr);
      assert.match(out.stderr, /needs Node\.js 22\.19 or newer/);
      assert.match(out.stderr, /bash scripts\/with-node\.sh npx scanschedule/);
      assert.doesNotMatch(out.stderr, /\n\s+at /);
    });
  }
  it('runs the command on a current Node', () => {
    const out = runCli(['--version'], { script: join(root, 'bin', 'scanschedule.js') });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
