// manifests/ and the scan Job on a real API server: everything applies, the pods meet restricted Pod Security
// (enforced, not just warned), and the ServiceAccount can do exactly what the controller needs — Secrets by name only, no
// exec — cluster-wide or, with manifests/namespaced/, in one namespace only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { ScanRun } from '../../src/api/types.ts';
import { jobForRun } from '../../src/core/job-for-run.ts';
import { DEFAULT_LEASE_NAME } from '../../src/kube/leader-election.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, type KubectlResult, kubectl } from '../controlplane/kubectl.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MANIFESTS = join(ROOT, 'manifests');
const SERVICE_ACCOUNT = 'system:serviceaccount:scanschedule-system:scanschedule';
const POD_SECURITY_WARNING = /would violate PodSecurity/i;

const restrictedNamespace = (name: string): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' },
    },
  });

describe('manifests/ on a real API server', () => {
  let controlPlane: ControlPlane;
  const run = (args: string[], input?: string): Promise<KubectlResult> =>
    kubectl(controlPlane, args, input === undefined ? {} : { input });
  const applied = async (args: string[], input?: string): Promise<KubectlResult> => {
    const result = await run(args, input);
    assert.equal(result.code, 0, describeKubectl(result));
    assert.doesNotMatch(result.stderr, POD_SECURITY_WARNING, describeKubectl(result));
    return result;
  };
  const canI = async (verb: string, resource: string, namespace: string, subresource?: string): Promise<string> => {
    const args = ['auth', 'can-i', verb, resource, `--as=${SERVICE_ACCOUNT}`, '-n', namespace];
    if (subresource !== undefined) args.push(`--subresource=${subresource}`);
    return (await run(args)).stdout.trim();
  };

  before(async () => {
    controlPlane = await startControlPlane();
  });
  after(() => controlPlane?.stop());

  it('applies the common manifests without a Pod Security warning', async () => {
    for (const file of [
      'namespace.yaml',
      'serviceaccount.yaml',
      'leader-election-role.yaml',
      'leader-election-rolebinding.yaml',
      'deployment.yaml',
    ]) {
      await applied(['apply', '-f', join(MANIFESTS, file)]);
    }
  });

  it('runs the controller pod in the restricted namespace (Pod Security enforced)', async () => {
    const deployment = parseAllDocuments(readFileSync(join(MANIFESTS, 'deployment.yaml'), 'utf8'))[0]?.toJS() as {
      spec: { template: { metadata: Record<string, unknown>; spec: Record<string, unknown> } };
    };
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'controller-template-check', namespace: 'scanschedule-system' },
      spec: deployment.spec.template.spec,
    };
    await applied(['create', '--dry-run=server', '-f', '-'], JSON.stringify(pod));
  });

  it('in --namespace mode grants the controller one namespace and nothing elsewhere', async () => {
    await applied(['create', '-f', '-'], restrictedNamespace('security'));
    await applied(['create', 'namespace', 'elsewhere']);
    await applied(['apply', '-k', join(MANIFESTS, 'namespaced')]);
    assert.equal(await canI('list', 'scanschedules.jmo.security', 'security'), 'yes');
    assert.equal(await canI('create', 'jobs.batch', 'security'), 'yes');
    assert.equal(await canI('list', 'scanschedules.jmo.security', 'elsewhere'), 'no');
    assert.equal(await canI('create', 'jobs.batch', 'elsewhere'), 'no');
  });

  it('applies the ClusterRole and its binding', async () => {
    await applied([
      'apply',
      '-f',
      join(MANIFESTS, 'clusterrole.yaml'),
      '-f',
      join(MANIFESTS, 'clusterrolebinding.yaml'),
    ]);
  });

  const allowed: [verb: string, resource: string, subresource?: string][] = [
    ['watch', 'scanschedules.jmo.security'],
    ['patch', 'scanschedules.jmo.security', 'status'],
    ['create', 'scanruns.jmo.security'],
    ['delete', 'scanruns.jmo.security'],
    ['update', 'scanruns.jmo.security', 'status'],
    ['create', 'jobs.batch'],
    ['delete', 'jobs.batch'],
    ['watch', 'pods'],
    ['create', 'events.events.k8s.io'],
    ['patch', 'events.events.k8s.io'],
    ['get', 'secrets'],
  ];
  const denied: [verb: string, resource: string, subresource?: string][] = [
    ['list', 'secrets'],
    ['watch', 'secrets'],
    ['create', 'pods', 'exec'],
    ['get', 'pods', 'log'],
    ['delete', 'pods'],
    ['create', 'scanschedules.jmo.security'],
    ['delete', 'scanschedules.jmo.security'],
    ['update', 'jobs.batch'],
    ['create', 'events'],
    ['create', 'leases.coordination.k8s.io'],
  ];
  for (const [verb, resource, subresource] of allowed) {
    it(`lets the controller ${verb} ${resource}${subresource !== undefined ? `/${subresource}` : ''} in any namespace`, async () => {
      assert.equal(await canI(verb, resource, 'elsewhere', subresource), 'yes');
    });
  }
  for (const [verb, resource, subresource] of denied) {
    it(`does not let the controller ${verb} ${resource}${subresource !== undefined ? `/${subresource}` : ''}`, async () => {
      assert.equal(await canI(verb, resource, 'elsewhere', subresource), 'no');
    });
  }

  it('lets the controller create and list Leases and renew only its own, only in scanschedule-system', async () => {
    assert.equal(await canI('create', 'leases.coordination.k8s.io', 'scanschedule-system'), 'yes');
    // The shard-count fence lists them; nowhere else.
    assert.equal(await canI('list', 'leases.coordination.k8s.io', 'scanschedule-system'), 'yes');
    assert.equal(await canI('list', 'leases.coordination.k8s.io', 'kube-system'), 'no');
    assert.equal(
      await canI('update', `leases.coordination.k8s.io/${DEFAULT_LEASE_NAME}`, 'scanschedule-system'),
      'yes',
    );
    assert.equal(await canI('get', `leases.coordination.k8s.io/${DEFAULT_LEASE_NAME}`, 'scanschedule-system'), 'yes');
    assert.equal(
      await canI('update', 'leases.coordination.k8s.io/kube-controller-manager', 'scanschedule-system'),
      'no',
    );
    assert.equal(await canI('update', `leases.coordination.k8s.io/${DEFAULT_LEASE_NAME}`, 'kube-system'), 'no');
  });

  it('builds with kubectl apply -k (the CRDs come in through crds/kustomization.yaml)', async () => {
    await applied(['apply', '--dry-run=server', '-k', MANIFESTS]);
  });
});

describe('the scan Job on a real API server', () => {
  let controlPlane: ControlPlane;
  before(async () => {
    controlPlane = await startControlPlane();
    const result = await kubectl(controlPlane, ['create', '-f', '-'], { input: restrictedNamespace('scans') });
    assert.equal(result.code, 0, describeKubectl(result));
  });
  after(() => controlPlane?.stop());

  const run: ScanRun = {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: { name: 'nightly-29650920', namespace: 'scans', uid: '6f1c2d9e-0000-4000-8000-000000000001' },
    spec: {
      scheduleRef: { name: 'nightly' },
      scheduledTime: '2026-05-19T00:00:00Z',
      trigger: 'schedule',
      jobTemplate: {
        targets: { repos_dir: '/repos', images: ['nginx:1.27'] },
        options: { fail_on: 'HIGH', threads: 4 },
        notifications: {
          enabled: true,
          channels: [{ type: 'slack', urlFrom: { secretKeyRef: { name: 'slack', key: 'url' } } }],
        },
      },
      backend: {
        type: 'kubernetes',
        config: {
          activeDeadlineSeconds: 3600,
          resources: { requests: { cpu: '100m' }, limits: { memory: '1Gi' } },
          volumes: [{ name: 'repos', emptyDir: {} }],
          volumeMounts: [{ name: 'repos', mountPath: '/repos', readOnly: true }],
        },
      },
    },
  };

  it('is a Job the API server accepts, without a Pod Security warning', async () => {
    const result = await kubectl(controlPlane, ['create', '-f', '-'], {
      input: JSON.stringify(jobForRun(run, { scannerImage: 'scanner:1', reportImage: 'report:1' })),
    });
    assert.equal(result.code, 0, describeKubectl(result));
    assert.doesNotMatch(result.stderr, POD_SECURITY_WARNING, describeKubectl(result));
  });

  it('has a pod template that restricted Pod Security admits', async () => {
    const job = jobForRun(run, { scannerImage: 'scanner:1', reportImage: 'report:1' });
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'scan-template-check', namespace: 'scans' },
      spec: job.spec?.template.spec,
    };
    const result = await kubectl(controlPlane, ['create', '--dry-run=server', '-f', '-'], {
      input: JSON.stringify(pod),
    });
    assert.equal(result.code, 0, describeKubectl(result));
  });

  it('would be refused without its security context (the namespace really enforces restricted)', async () => {
    const job = jobForRun(run, { scannerImage: 'scanner:1', reportImage: 'report:1' });
    const spec = structuredClone(job.spec?.template.spec);
    assert.ok(spec !== undefined);
    delete spec.securityContext;
    for (const container of spec.containers) delete container.securityContext;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'insecure', namespace: 'scans' }, spec };
    const result = await kubectl(controlPlane, ['create', '--dry-run=server', '-f', '-'], {
      input: JSON.stringify(pod),
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /violates PodSecurity "restricted/);
  });
});
