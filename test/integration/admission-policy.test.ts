// manifests/scanrun-admission-policy*.yaml and the ScanRun CRD's immutable spec on a real kube-apiserver: a user
// whom RBAC allows to write ScanRuns still cannot create one or write its status (the policy denies it), the
// controller's ServiceAccount can, and nobody can change a run's spec (CEL self == oldSelf).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { CEL_RULES } from '../../src/api/cel-rules.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, type KubectlResult, kubectl } from '../controlplane/kubectl.ts';
import { waitUntil } from '../controlplane/wait-until.ts';
import { aScanRun } from './manifests.ts';

const MANIFESTS = join(import.meta.dirname, '..', '..', 'manifests');
const NAMESPACE = 'team-a';
const CONTROLLER = 'system:serviceaccount:scanschedule-system:scanschedule';
const USER = 'alice';

interface PolicyValidation {
  message: string;
}
const policy = parseAllDocuments(readFileSync(join(MANIFESTS, 'scanrun-admission-policy.yaml'), 'utf8'))[0]?.toJS() as {
  metadata: { name: string };
  spec: { validations: PolicyValidation[] };
};
const [createMessage, statusMessage, scheduleStatusMessage] = policy.spec.validations.map(
  (v) => v.message.split(';')[0] ?? v.message,
);
assert.ok(createMessage !== undefined && statusMessage !== undefined && scheduleStatusMessage !== undefined);

/** RBAC that lets alice do everything with ScanRuns in team-a: whatever she is refused, the policy refuses. */
const userRbac = JSON.stringify({
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'scanrun-writer', namespace: NAMESPACE },
      rules: [
        {
          apiGroups: ['jmo.security'],
          resources: ['scanruns', 'scanruns/status', 'scanschedules', 'scanschedules/status'],
          verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'scanrun-writer', namespace: NAMESPACE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'scanrun-writer' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: USER }],
    },
  ],
});

const runManifest = (name: string): string =>
  JSON.stringify({ ...aScanRun(name), metadata: { name, namespace: NAMESPACE } });

describe('ScanRun admission on a real API server', () => {
  let controlPlane: ControlPlane;
  const as = (who: string | undefined, args: string[], input?: string): Promise<KubectlResult> =>
    kubectl(controlPlane, [...(who === undefined ? [] : [`--as=${who}`]), '-n', NAMESPACE, ...args], {
      ...(input !== undefined && { input }),
    });
  const succeeds = async (who: string | undefined, args: string[], input?: string): Promise<KubectlResult> => {
    const result = await as(who, args, input);
    assert.equal(result.code, 0, describeKubectl(result));
    return result;
  };
  const refused = async (who: string | undefined, args: string[], message: string, input?: string) => {
    const result = await as(who, args, input);
    assert.notEqual(result.code, 0, describeKubectl(result));
    assert.ok(result.stderr.includes(message), `expected "${message}" in:\n${describeKubectl(result)}`);
    return result;
  };
  const statusPatch = JSON.stringify({ status: { phase: 'Succeeded', reason: 'Completed', findings: { total: 0 } } });

  before(async () => {
    controlPlane = await startControlPlane();
    await succeeds(undefined, ['create', 'namespace', NAMESPACE]);
    await succeeds(undefined, ['apply', '-f', '-'], userRbac);
    // The controller's own RBAC, so that what it is allowed below is allowed by the policy, not by an absent rule.
    await succeeds(undefined, [
      'apply',
      '-f',
      join(MANIFESTS, 'clusterrole.yaml'),
      '-f',
      join(MANIFESTS, 'clusterrolebinding.yaml'),
    ]);
  });
  after(() => controlPlane?.stop());

  it('lets the user create a ScanRun while the policy is not installed (RBAC alone allows it)', async () => {
    await succeeds(USER, ['create', '-f', '-'], runManifest('before-policy'));
  });

  it('installs the policy and its binding, and they take effect', async () => {
    await succeeds(undefined, [
      'apply',
      '-f',
      join(MANIFESTS, 'scanrun-admission-policy.yaml'),
      '-f',
      join(MANIFESTS, 'scanrun-admission-policy-binding.yaml'),
    ]);
    // The API server loads policies through an informer: poll with server-side dry runs until it denies.
    await waitUntil(
      'the admission policy to deny a user’s ScanRun',
      async () => {
        const result = await as(USER, ['create', '--dry-run=server', '-f', '-'], runManifest('probe'));
        return result.code !== 0 && result.stderr.includes(createMessage) ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  it('denies a user creating a ScanRun, naming the policy and the run-now annotation', async () => {
    const result = await refused(USER, ['create', '-f', '-'], createMessage, runManifest('forged'));
    assert.match(result.stderr, new RegExp(policy.metadata.name));
    assert.match(result.stderr, /jmo\.security\/run-now/);
    assert.equal((await as(undefined, ['get', 'scanrun', 'forged'])).code, 1, 'the forged run must not exist');
  });

  it('denies a cluster-admin (system:masters) creating a ScanRun too', async () => {
    await refused(undefined, ['create', '-f', '-'], createMessage, runManifest('forged-by-admin'));
  });

  it('lets the controller’s ServiceAccount create a ScanRun', async () => {
    await succeeds(CONTROLLER, ['create', '-f', '-'], runManifest('by-controller'));
  });

  it('lets the controller’s ServiceAccount write a run’s status', async () => {
    await succeeds(CONTROLLER, [
      'patch',
      'scanrun',
      'by-controller',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { phase: 'Running' } }),
    ]);
  });

  it('denies a user writing a run’s status', async () => {
    await refused(
      USER,
      ['patch', 'scanrun', 'by-controller', '--subresource=status', '--type=merge', '-p', statusPatch],
      statusMessage,
    );
    const phase = await succeeds(undefined, ['get', 'scanrun', 'by-controller', '-o', 'jsonpath={.status.phase}']);
    assert.equal(phase.stdout, 'Running');
  });

  it('refuses a spec change even from the controller’s ServiceAccount (the CRD’s immutability rule)', async () => {
    await refused(
      CONTROLLER,
      ['patch', 'scanrun', 'by-controller', '--type=merge', '-p', JSON.stringify({ spec: { trigger: 'manual' } })],
      CEL_RULES.scanRunSpecImmutable.message,
    );
  });

  it('refuses a user’s spec change', async () => {
    const patch = JSON.stringify({ spec: { scheduledTime: '2099-01-01T00:00:00Z' } });
    await refused(
      USER,
      ['patch', 'scanrun', 'before-policy', '--type=merge', '-p', patch],
      CEL_RULES.scanRunSpecImmutable.message,
    );
    const time = await succeeds(undefined, ['get', 'scanrun', 'before-policy', '-o', 'jsonpath={.spec.scheduledTime}']);
    assert.equal(time.stdout, '2026-05-19T02:00:00Z');
  });

  it('denies a user writing a ScanSchedule’s status (lastScheduleTime in 2099 would silence it); the controller may', async () => {
    const schedule = JSON.stringify({
      apiVersion: 'jmo.security/v1alpha1',
      kind: 'ScanSchedule',
      metadata: { name: 'nightly', namespace: NAMESPACE },
      spec: { schedule: '0 2 * * *', jobTemplate: { targets: { repo: '/src' } } },
    });
    await succeeds(USER, ['create', '-f', '-'], schedule);
    const forged = JSON.stringify({ status: { lastScheduleTime: '2099-01-01T00:00:00Z' } });
    await refused(
      USER,
      ['patch', 'scanschedule', 'nightly', '--subresource=status', '--type=merge', '-p', forged],
      scheduleStatusMessage,
    );
    await succeeds(USER, ['patch', 'scanschedule', 'nightly', '--type=merge', '-p', '{"spec":{"suspend":true}}']);
    await succeeds(CONTROLLER, [
      'patch',
      'scanschedule',
      'nightly',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { lastScheduleTime: '2026-05-19T02:00:00Z' } }),
    ]);
  });

  it('lets a user label a run and delete it (metadata and deletion stay with RBAC)', async () => {
    await succeeds(USER, ['label', 'scanrun', 'by-controller', 'reviewed=yes']);
    await succeeds(USER, ['delete', 'scanrun', 'by-controller', '--wait=false']);
  });
});
