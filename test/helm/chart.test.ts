// charts/scanschedule rendered by the real helm (built by build-tools.sh): lint, then `helm template` with several
// value sets, each output parsed and checked for the fields that value set is about.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { CONTROLLER_FLAGS } from '../../src/cli/controller.ts';
import { describeTool, runTool } from './tools.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CHART = join(ROOT, 'charts', 'scanschedule');
const RELEASE = 'scans';
const NAMESPACE = 'security-tools';
const FULLNAME = 'scans-scanschedule';
const packageVersion = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}
interface Container {
  image: string;
  args: string[];
  resources: unknown;
  securityContext: Record<string, unknown>;
}
interface PodSpec {
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: Container[];
}

async function render(values: readonly string[]): Promise<KubeObject[]> {
  const result = await runTool('helm', ['template', RELEASE, CHART, '--namespace', NAMESPACE, ...values]);
  assert.equal(result.code, 0, describeTool(result));
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

const find = (objects: readonly KubeObject[], kind: string, name?: string): KubeObject | undefined =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const must = (objects: readonly KubeObject[], kind: string, name?: string): KubeObject => {
  const object = find(objects, kind, name);
  assert.ok(object, `no ${kind}${name === undefined ? '' : ` ${name}`} in ${objects.map((o) => o.kind).join(', ')}`);
  return object;
};
const podSpec = (objects: readonly KubeObject[]): PodSpec =>
  (must(objects, 'Deployment') as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const controller = (objects: readonly KubeObject[]): Container => podSpec(objects).containers[0] as Container;
const manifest = (path: string): Record<string, unknown> =>
  parse(readFileSync(join(ROOT, path), 'utf8')) as Record<string, unknown>;

describe('helm chart charts/scanschedule', () => {
  it('helm lint --strict passes', async () => {
    const result = await runTool('helm', ['lint', '--strict', CHART]);
    assert.equal(result.code, 0, describeTool(result));
  });

  it('defaults: two leader-electing replicas, cluster-wide RBAC, this version’s image, restricted', async () => {
    const objects = await render([]);
    const deployment = must(objects, 'Deployment') as unknown as { spec: { replicas: number } };
    assert.equal(deployment.spec.replicas, 2);
    const container = controller(objects);
    assert.equal(container.image, `ghcr.io/jmo-security/scanschedule:${packageVersion}`);
    assert.ok(container.args.includes('--leader-elect=true'), container.args.join(' '));
    assert.ok(!container.args.some((arg) => arg.startsWith('--namespace')));
    assert.equal(podSpec(objects).serviceAccountName, FULLNAME);
    assert.equal(podSpec(objects).securityContext.runAsNonRoot, true);
    assert.deepEqual(container.securityContext.capabilities, { drop: ['ALL'] });
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    must(objects, 'ServiceAccount', FULLNAME);
    const role = must(objects, 'ClusterRole', `${FULLNAME}-controller`);
    assert.deepEqual(
      role.rules,
      manifest('manifests/clusterrole.yaml').rules,
      'the rules of manifests/clusterrole.yaml',
    );
    must(objects, 'ClusterRoleBinding', `${FULLNAME}-controller`);
    assert.equal(must(objects, 'Role', `${FULLNAME}-leader-election`).metadata.namespace, NAMESPACE);
    must(objects, 'Service', `${FULLNAME}-metrics`);
    must(objects, 'ClusterRole', 'scanschedule-view');
    must(objects, 'ClusterRole', 'scanschedule-edit');
    assert.equal(find(objects, 'ServiceMonitor'), undefined);
    assert.equal(find(objects, 'PrometheusRule'), undefined);
  });

  it('passes the controller only flags it accepts, each as --flag=value', async () => {
    const args = controller(await render(['--set', 'watchNamespace=team-a'])).args;
    const known = new Set<string>(CONTROLLER_FLAGS);
    assert.deepEqual(
      args.filter((arg) => !arg.includes('=') || !known.has(arg.split('=')[0] ?? '')),
      [],
    );
  });

  it('the admission policy names the release’s ServiceAccount as the only writer of runs', async () => {
    const objects = await render(['--set', 'serviceAccount.name=scan-controller']);
    const policy = must(objects, 'ValidatingAdmissionPolicy') as unknown as {
      metadata: { name: string };
      spec: { variables: { name: string; expression: string }[]; validations: unknown[] };
    };
    const variable = policy.spec.variables.find((v) => v.name === 'controller');
    assert.equal(variable?.expression, `'system:serviceaccount:${NAMESPACE}:scan-controller'`);
    const original = manifest('manifests/scanrun-admission-policy.yaml') as { spec: { validations: unknown[] } };
    assert.deepEqual(policy.spec.validations, original.spec.validations);
    const binding = must(objects, 'ValidatingAdmissionPolicyBinding') as unknown as { spec: { policyName: string } };
    assert.equal(binding.spec.policyName, policy.metadata.name);
    assert.equal(podSpec(objects).serviceAccountName, 'scan-controller');
  });

  it('replicas 1: no leader election, no Lease role', async () => {
    const objects = await render(['--set', 'replicas=1']);
    assert.ok(controller(objects).args.includes('--leader-elect=false'));
    assert.equal(find(objects, 'Role', `${FULLNAME}-leader-election`), undefined);
  });

  it('shards 2: a Deployment per shard with its index, its own pods, and a Lease name each in the Role', async () => {
    const objects = await render(['--set', 'shards=2']);
    const deployments = objects.filter((o) => o.kind === 'Deployment') as unknown as {
      metadata: { name: string };
      spec: { selector: { matchLabels: Record<string, string> }; template: { spec: PodSpec } };
    }[];
    assert.deepEqual(
      deployments.map((d) => d.metadata.name),
      [`${FULLNAME}-shard-0`, `${FULLNAME}-shard-1`],
    );
    deployments.forEach((deployment, index) => {
      const args = deployment.spec.template.spec.containers[0]?.args ?? [];
      assert.ok(args.includes('--shard-count=2') && args.includes(`--shard-index=${index}`), args.join(' '));
      assert.equal(deployment.spec.selector.matchLabels['jmo.security/shard'], String(index));
    });
    const role = must(objects, 'Role', `${FULLNAME}-leader-election`) as unknown as {
      rules: { resourceNames?: string[] }[];
    };
    assert.deepEqual(role.rules.find((rule) => rule.resourceNames !== undefined)?.resourceNames, [
      'scanschedule.jmo.security-shard-0-of-2',
      'scanschedule.jmo.security-shard-1-of-2',
    ]);
  });

  it('shards 1 (the default): one Deployment under the release name, no shard flags, the one Lease', async () => {
    const objects = await render([]);
    assert.deepEqual(
      objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name),
      [FULLNAME],
    );
    assert.ok(!controller(objects).args.some((arg) => arg.startsWith('--shard')));
    const role = must(objects, 'Role', `${FULLNAME}-leader-election`) as unknown as {
      rules: { resourceNames?: string[] }[];
    };
    assert.deepEqual(role.rules.find((rule) => rule.resourceNames !== undefined)?.resourceNames, [
      'scanschedule.jmo.security',
    ]);
  });

  it('shards 0 or 257: refused with the range', async () => {
    for (const shards of ['0', '257']) {
      const result = await runTool('helm', ['template', RELEASE, CHART, '--set', `shards=${shards}`]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /shards must be a whole number from 1 to 256/);
    }
  });

  it('watchNamespace: --namespace and a Role in that namespace instead of the ClusterRole', async () => {
    const objects = await render(['--set', 'watchNamespace=team-a']);
    assert.ok(controller(objects).args.includes('--namespace=team-a'));
    assert.equal(find(objects, 'ClusterRole', `${FULLNAME}-controller`), undefined);
    assert.equal(find(objects, 'ClusterRoleBinding', `${FULLNAME}-controller`), undefined);
    assert.equal(must(objects, 'Role', `${FULLNAME}-controller`).metadata.namespace, 'team-a');
    const binding = must(objects, 'RoleBinding', `${FULLNAME}-controller`) as unknown as {
      metadata: { namespace: string };
      subjects: { name: string; namespace: string }[];
    };
    assert.equal(binding.metadata.namespace, 'team-a');
    assert.deepEqual(binding.subjects[0], { kind: 'ServiceAccount', name: FULLNAME, namespace: NAMESPACE });
  });

  it('monitoring on: ServiceMonitor, PrometheusRule with the alerts of manifests/monitoring, dashboard', async () => {
    const objects = await render([
      '--set',
      'metrics.serviceMonitor.enabled=true',
      '--set',
      'metrics.prometheusRule.enabled=true',
      '--set',
      'metrics.grafanaDashboard.enabled=true',
      '--set',
      'metrics.prometheusRule.labels.release=kube-prometheus',
    ]);
    const monitor = must(objects, 'ServiceMonitor') as unknown as { spec: { endpoints: { port: string }[] } };
    assert.equal(monitor.spec.endpoints[0]?.port, 'metrics');
    const rule = must(objects, 'PrometheusRule') as unknown as KubeObject & { spec: unknown };
    assert.equal(rule.metadata.labels?.release, 'kube-prometheus');
    const original = manifest('manifests/monitoring/prometheus-rule.yaml') as { spec: unknown };
    assert.deepEqual(rule.spec, original.spec, 'helm must not have templated the {{ $labels }} of the alerts');
    const dashboard = must(objects, 'ConfigMap', `${FULLNAME}-dashboard`) as unknown as {
      data: Record<string, string>;
    };
    assert.equal((JSON.parse(dashboard.data['scanschedule.json'] ?? '{}') as { uid: string }).uid, 'scanschedule');
  });

  it('image, resources and extra arguments come from the values', async () => {
    const objects = await render([
      '--set',
      'image.repository=registry.example.com/scanschedule',
      '--set',
      'image.tag=9.9.9',
      '--set',
      'resources.limits.memory=1Gi',
      '--set',
      'extraArgs={--allow-link-local-notification-targets}',
      '--set',
      'userRoles.enabled=false',
      '--set',
      'admissionPolicy.enabled=false',
    ]);
    const container = controller(objects);
    assert.equal(container.image, 'registry.example.com/scanschedule:9.9.9');
    assert.ok(container.args.includes('--report-image=registry.example.com/scanschedule:9.9.9'));
    assert.ok(container.args.includes('--allow-link-local-notification-targets'), container.args.join(' '));
    assert.deepEqual((container.resources as { limits: unknown }).limits, { memory: '1Gi' });
    assert.equal(find(objects, 'ClusterRole', 'scanschedule-view'), undefined);
    assert.equal(find(objects, 'ValidatingAdmissionPolicy'), undefined);
  });

  it('refuses a leaderElection.mode it does not know', async () => {
    const result = await runTool('helm', ['template', RELEASE, CHART, '--set', 'leaderElection.mode=sometimes']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /leaderElection.mode must be auto, true or false/);
  });
});
