// manifests/user-roles.yaml on a real API server: the aggregated roles reach Kubernetes' built-in view and edit
// (the kube-controller-manager aggregates them), and `kubectl auth can-i` shows what each grants: an editor writes
// and triggers schedules, nobody but the controller creates runs or writes status.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, kubectl } from '../controlplane/kubectl.ts';

const ROLES = join(import.meta.dirname, '..', '..', 'manifests', 'user-roles.yaml');
const NAMESPACE = 'user-roles';
const VIEWER = 'viewer@example.com';
const EDITOR = 'editor@example.com';

interface Expectation {
  user: string;
  verb: string;
  resource: string;
  subresource?: string;
  allowed: boolean;
}

const expectations: Expectation[] = [
  { user: VIEWER, verb: 'list', resource: 'scanschedules', allowed: true },
  { user: VIEWER, verb: 'watch', resource: 'scanruns', allowed: true },
  { user: VIEWER, verb: 'patch', resource: 'scanschedules', allowed: false },
  { user: VIEWER, verb: 'create', resource: 'scanschedules', allowed: false },
  { user: EDITOR, verb: 'list', resource: 'scanruns', allowed: true },
  { user: EDITOR, verb: 'create', resource: 'scanschedules', allowed: true },
  { user: EDITOR, verb: 'update', resource: 'scanschedules', allowed: true },
  // The run-now annotation is a patch of the schedule.
  { user: EDITOR, verb: 'patch', resource: 'scanschedules', allowed: true },
  { user: EDITOR, verb: 'delete', resource: 'scanschedules', allowed: true },
  { user: EDITOR, verb: 'create', resource: 'scanruns', allowed: false },
  { user: EDITOR, verb: 'update', resource: 'scanruns', allowed: false },
  { user: EDITOR, verb: 'patch', resource: 'scanschedules', subresource: 'status', allowed: false },
  { user: EDITOR, verb: 'update', resource: 'scanruns', subresource: 'status', allowed: false },
];

describe('aggregated user roles (manifests/user-roles.yaml)', () => {
  let controlPlane: ControlPlane;
  const canI = async (e: Expectation): Promise<string> => {
    const args = ['auth', 'can-i', e.verb, `${e.resource}.jmo.security`, `--as=${e.user}`, '-n', NAMESPACE];
    if (e.subresource !== undefined) args.push(`--subresource=${e.subresource}`);
    return (await kubectl(controlPlane, args)).stdout.trim();
  };

  before(async () => {
    controlPlane = await startControlPlane();
    // Its clusterrole-aggregation controller copies labelled roles' rules into view, edit and admin.
    await controlPlane.startControllerManager();
    for (const args of [
      ['create', 'namespace', NAMESPACE],
      ['apply', '-f', ROLES],
      ['create', 'rolebinding', 'viewer', '--clusterrole=view', `--user=${VIEWER}`, '-n', NAMESPACE],
      ['create', 'rolebinding', 'editor', '--clusterrole=edit', `--user=${EDITOR}`, '-n', NAMESPACE],
    ]) {
      const result = await kubectl(controlPlane, args);
      assert.equal(result.code, 0, describeKubectl(result));
    }
    // The aggregation controller copies the rules into view and edit a moment after the roles appear.
    const deadline = Date.now() + 60_000;
    while (
      (await canI(expectations[0] as Expectation)) !== 'yes' ||
      (await canI(expectations[5] as Expectation)) !== 'yes'
    ) {
      assert.ok(Date.now() < deadline, 'the built-in view and edit roles never gained the scanschedule rules');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
  after(() => controlPlane?.stop());

  for (const e of expectations) {
    const what = `${e.verb} ${e.resource}${e.subresource === undefined ? '' : `/${e.subresource}`}`;
    it(`${e.user === VIEWER ? 'view' : 'edit'} ${e.allowed ? 'may' : 'may not'} ${what}`, async () => {
      assert.equal(await canI(e), e.allowed ? 'yes' : 'no');
    });
  }
});
