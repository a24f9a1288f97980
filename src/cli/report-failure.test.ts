import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommanderError } from 'commander';
import { ClusterError, EXIT, NotFoundError } from './exit-codes.ts';
import { reportFailure } from './report-failure.ts';
import { UsageError } from './usage-error.ts';

describe('reportFailure', () => {
  const cases = [
    {
      name: 'help and version',
      error: new CommanderError(0, 'commander.helpDisplayed', ''),
      exit: EXIT.ok,
      stderr: '',
    },
    {
      name: 'a commander usage mistake',
      error: new CommanderError(1, 'commander.unknownOption', 'x'),
      exit: EXIT.usage,
      stderr: '',
    },
    { name: 'a UsageError', error: new UsageError('bad flag'), exit: EXIT.usage, stderr: 'error: bad flag\n' },
    {
      name: 'a NotFoundError',
      error: new NotFoundError('x not found'),
      exit: EXIT.failed,
      stderr: 'error: x not found\n',
    },
    {
      name: 'a ClusterError',
      error: new ClusterError('The connection was refused'),
      exit: EXIT.cluster,
      stderr: 'The connection was refused\n',
    },
  ];
  for (const c of cases) {
    it(`ends ${c.name} with exit ${c.exit}`, () => {
      assert.deepEqual(reportFailure(c.error, false), { exitCode: c.exit, stderr: c.stderr });
    });
  }
  it('reports a bug in one line with how to get the stack, and the stack only when debugging', () => {
    const bug = new TypeError('x is undefined');
    const quiet = reportFailure(bug, false);
    assert.equal(quiet.exitCode, EXIT.failed);
    assert.match(quiet.stderr, /^error: x is undefined\n.*SCANSCHEDULE_DEBUG=1/);
    assert.doesNotMatch(quiet.stderr, /\n\s+at /);
    assert.match(reportFailure(bug, true).stderr, /\n\s+at /);
  });
});
