// Every manifest in examples/ is accepted by a real kube-apiserver, the way a user would apply it.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, kubectl } from '../controlplane/kubectl.ts';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const NAMESPACE = 'examples';
const exampleFiles = readdirSync(EXAMPLES)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();

describe('examples/ against kube-apiserver', () => {
  let controlPlane: ControlPlane;
  before(async () => {
    controlPlane = await startControlPlane();
    const created = await kubectl(controlPlane, ['create', 'namespace', NAMESPACE]);
    assert.equal(created.code, 0, describeKubectl(created));
  });
  after(() => controlPlane?.stop());

  it('examples/ holds at least one manifest', () => {
    assert.ok(exampleFiles.length > 0, `no *.yaml in ${EXAMPLES}; the README points users there`);
  });

  for (const file of exampleFiles) {
    it(`kubectl apply --server-side accepts examples/${file}`, async () => {
      const result = await kubectl(controlPlane, [
        'apply',
        '--server-side',
        '-n',
        NAMESPACE,
        '-f',
        join(EXAMPLES, file),
      ]);
      assert.equal(result.code, 0, describeKubectl(result));
    });
  }
});
