// The offline commands check manifests with the validators generated at build time (src/api/generated/), never
// with ajv's compiler (about 120 ms of start-up): a resolve hook makes loading ajv itself fail loudly; only its
// small run-time helpers, which the generated code requires, may load. The generator is the control that shows
// the hook bites.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { root, runCli } from './cli-process.ts';

const MARK = 'AJV COMPILER LOADED';
const refuseAjv = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'ajv' || (specifier.startsWith('ajv/') && !specifier.startsWith('ajv/dist/runtime/'))) {
      throw new Error('${MARK}');
    }
    return next(specifier, context);
  },
});`)}`;
const nodeArgs = ['--import', refuseAjv];

describe('offline commands validate without compiling a schema', () => {
  const cases: { name: string; args: string[]; status: number; stdout: RegExp }[] = [
    { name: 'validate of valid files', args: ['validate', 'examples/'], status: 0, stdout: /^ok: /m },
    {
      name: 'validate of an invalid file',
      args: ['validate', '-'],
      status: 1,
      stdout: /unknown field "scheduel"/,
    },
    { name: 'next', args: ['next', 'examples/nightly.yaml', '-c', '2'], status: 0, stdout: /ScanSchedule / },
    { name: 'export', args: ['export', 'examples/nightly.yaml', '--to', 'crontab'], status: 0, stdout: /\S/ },
  ];
  const invalid = `apiVersion: jmo.security/v1alpha1
kind: ScanSchedule
metadata: { name: typo }
spec:
  scheduel: '0 2 * * *'
  jobTemplate: { targets: { repo: . } }
`;
  for (const c of cases) {
    it(`${c.name} runs without ajv's compiler`, () => {
      const out = runCli(c.args, { nodeArgs, input: invalid });
      assert.doesNotMatch(out.stderr, new RegExp(MARK));
      assert.equal(out.status, c.status, out.stderr);
      assert.match(out.stdout, c.stdout);
    });
  }

  it('the generator does load it (the hook works)', () => {
    const out = runCli([], { nodeArgs, script: join(root, 'scripts', 'gen-validators.ts') });
    assert.match(out.stderr, new RegExp(MARK));
  });
});
