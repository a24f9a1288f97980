// The conventions every command shares: -n is the namespace (next's old -n still works, with a warning), the
// help states the exit codes, the controller's flags are listed, and a closed pipe ends the command quietly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { mainScript, root, runCli } from './cli-process.ts';

describe('CLI conventions', () => {
  it('next -c counts; next -n still counts for one release and says to use -c', () => {
    const counted = runCli(['next', 'examples/nightly.yaml', '-c', '2']);
    assert.equal(counted.status, 0, counted.stderr);
    assert.equal(counted.stderr, '');
    const old = runCli(['next', 'examples/nightly.yaml', '-n', '2']);
    assert.equal(old.status, 0, old.stderr);
    assert.equal(old.stdout.match(/^ {4}\S/gm)?.length, 2, old.stdout);
    assert.match(old.stderr, /^warning: -n for next is deprecated .*use -c\/--count\n$/);
  });
  it('validate -n sets the namespace of objects that set none', () => {
    const out = runCli(['validate', '-n', 'team-a', '-o', 'json', 'examples/nightly.yaml']);
    assert.equal(out.status, 0, out.stderr);
    const clash = runCli(['validate', '-n', 'team-a', 'examples/nightly.yaml', 'examples/nightly.yaml']);
    assert.match(clash.stdout, /team-a\/nightly-scan is defined twice/);
  });
  it('--help states the exit codes', () => {
    const out = runCli(['--help']);
    assert.equal(out.status, 0);
    assert.match(out.stdout, /Exit codes: 0 ok, 1 .*2 usage error,\s+3 cluster unreachable/);
  });
  it('controller --help lists the controller’s flags', () => {
    const out = runCli(['controller', '--help']);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /--leader-elect <bool>/);
    assert.match(out.stdout, /--metrics-bind-address/);
  });
  const shardFlagCases: { name: string; args: string[]; message: RegExp }[] = [
    {
      name: 'a count that is no number',
      args: ['--shard-count', 'two'],
      message: /--shard-count two: use a whole number/,
    },
    {
      name: 'no shards at all',
      args: ['--shard-count', '0'],
      message: /--shard-count 0: use a whole number from 1 to 256/,
    },
    {
      name: 'an index past the last shard',
      args: ['--shard-count', '2', '--shard-index', '2'],
      message: /--shard-index 2: use a whole number from 0 to 1/,
    },
  ];
  for (const c of shardFlagCases)
    it(`controller refuses ${c.name} as a usage error, before touching the cluster`, () => {
      const out = runCli(['controller', ...c.args, '--kubeconfig', '/nonexistent/kubeconfig']);
      assert.equal(out.status, 2, out.stderr);
      assert.match(out.stderr, c.message);
      assert.doesNotMatch(out.stderr, /\n\s+at /); // no stack trace
    });
  it('a pipe closed early (| head -1) ends the command quietly', () => {
    const out = spawnSync('bash', ['-c', `"${process.execPath}" "${mainScript}" next examples/ -c 1000 | head -1`], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(out.status, 0);
    assert.equal(out.stderr, '');
    assert.equal(out.stdout.split('\n').length, 2);
  });
});
