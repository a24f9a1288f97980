// The offline commands never load the Kubernetes client (about a second of start-up): a resolve hook makes
// loading it fail loudly, and every offline command must still succeed. A cluster command is the control that
// shows the hook bites.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './cli-process.ts';

const MARK = 'KUBERNETES CLIENT LOADED';
const refuseClient = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, next) {
    if (specifier.startsWith('@kubernetes/client-node')) throw new Error('${MARK}');
    return next(specifier, context);
  },
});`)}`;
const nodeArgs = ['--import', refuseClient];

describe('offline commands do not load @kubernetes/client-node', () => {
  const cases: { name: string; args: string[]; status: number }[] = [
    { name: '--version', args: ['--version'], status: 0 },
    { name: '--help', args: ['--help'], status: 0 },
    { name: 'get --help', args: ['get', '--help'], status: 0 },
    { name: 'validate', args: ['validate', 'examples/'], status: 0 },
    { name: 'next', args: ['next', 'examples/nightly.yaml', '-c', '2'], status: 0 },
    { name: 'report', args: ['report', 'test/fixtures/results/jmo'], status: 0 },
    { name: 'completion', args: ['completion', 'bash'], status: 0 },
    { name: 'a usage error', args: ['validate', '--no-such-flag', 'x'], status: 2 },
  ];
  for (const c of cases) {
    it(`${c.name} runs without it`, () => {
      const out = runCli(c.args, { nodeArgs });
      assert.doesNotMatch(out.stderr, new RegExp(MARK));
      assert.equal(out.status, c.status, out.stderr);
    });
  }
  it('a cluster command does load it (the hook works)', () => {
    const out = runCli(['get', '--kubeconfig', 'examples/nightly.yaml'], { nodeArgs });
    assert.match(out.stderr, new RegExp(MARK));
  });
});
