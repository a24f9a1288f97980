// The deployment files cannot be built or applied here (no Docker, no cluster registry), so this checks what can be
// checked offline: the Dockerfile against package.json and tsconfig, the manifests against each other, and the
// RBAC against the least-privilege rules of docs/design.md §5. test/integration/kube-manifests.test.ts applies them to
// a real API server.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { CONTROLLER_FLAGS } from '../src/cli/controller.ts';
import { DEFAULT_LEASE_NAME } from '../src/kube/leader-election.ts';

const ROOT = join(import.meta.dirname, '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet: { path: string; port: string | number } };
  readinessProbe?: { httpGet: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}

interface DeploymentSpec {
  replicas: number;
  template: {
    spec: { serviceAccountName: string; securityContext: Record<string, unknown>; containers: Container[] };
  };
}

function loadObjects(directory: string): { file: string; object: K8sObject }[] {
  const out: { file: string; object: K8sObject }[] = [];
  for (const file of readdirSync(join(ROOT, directory)).filter(
    (f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml',
  )) {
    for (const document of parseAllDocuments(read(join(directory, file)))) {
      assert.deepEqual(document.errors, [], `${directory}/${file} does not parse`);
      const object = document.toJS() as K8sObject | null;
      if (object !== null) out.push({ file: `${directory}/${file}`, object });
    }
  }
  return out;
}

const manifests = loadObjects('manifests');
const namespaced = loadObjects('manifests/namespaced');
const find = <T = Record<string, unknown>>(objects: typeof manifests, kind: string, name?: string): K8sObject & T => {
  const found = objects.find((o) => o.object.kind === kind && (name === undefined || o.object.metadata.name === name));
  assert.ok(found !== undefined, `no ${kind}${name !== undefined ? ` ${name}` : ''} in manifests/`);
  return found.object as K8sObject & T;
};

const packageJson = JSON.parse(read('package.json')) as {
  version: string;
  engines: { node: string };
  bin: Record<string, string>;
};

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function dockerInstructions(): { instruction: string; args: string; stage: number }[] {
  const lines = read('Dockerfile').replace(/\\\n/g, ' ').split('\n');
  let stage = -1;
  const out: { instruction: string; args: string; stage: number }[] = [];
  for (const line of lines) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (match === null || line.trim().startsWith('#')) continue;
    const instruction = (match[1] ?? '').toUpperCase();
    if (instruction === 'FROM') stage++;
    out.push({ instruction, args: (match[2] ?? '').trim(), stage });
  }
  return out;
}

describe('Dockerfile', () => {
  const instructions = dockerInstructions();
  const argDefaults = new Map(
    instructions
      .filter((i) => i.instruction === 'ARG' && i.args.includes('='))
      .map((i) => i.args.split('=') as [string, string]),
  );
  const expand = (text: string): string =>
    text.replace(/\$\{(\w+)\}/g, (_, name: string) => argDefaults.get(name) ?? '');
  const froms = instructions.filter((i) => i.instruction === 'FROM').map((i) => expand(i.args));

  it('builds in one stage and runs in another, both on the official Node image', () => {
    assert.equal(froms.length, 2);
    for (const from of froms) assert.match(from, /^node:\d+(-[a-z0-9.]+)?( AS \w+)?$/i);
  });

  it('uses a Node major that package.json engines allows, and the one we develop on (24)', () => {
    const engines = /^>=\s*(\d+)\.(\d+)/.exec(packageJson.engines.node);
    assert.ok(engines !== null, `engines.node "${packageJson.engines.node}" is not a >= range`);
    for (const from of froms) {
      const major = Number(/^node:(\d+)/.exec(from)?.[1]);
      assert.ok(major >= Number(engines[1]), `${from} is older than engines.node ${packageJson.engines.node}`);
      assert.equal(major, 24);
    }
  });

  it('builds with npm ci and npm run build, and installs only production dependencies to run', () => {
    const runs = (stage: number): string[] =>
      instructions.filter((i) => i.stage === stage && i.instruction === 'RUN').map((i) => i.args);
    assert.ok(runs(0).some((r) => /\bnpm ci\b/.test(r)));
    assert.ok(runs(0).some((r) => /\bnpm run build\b/.test(r)));
    assert.ok(runs(1).some((r) => /\bnpm ci\b.*--omit=dev/.test(r)));
    assert.ok(
      instructions.some((i) => i.stage === 1 && i.instruction === 'COPY' && /--from=\S+ \/app\/dist/.test(i.args)),
      'the runtime stage copies dist/ from the build stage',
    );
  });

  it('runs as a numeric non-root user', () => {
    const users = instructions.filter((i) => i.stage === 1 && i.instruction === 'USER').map((i) => i.args);
    assert.equal(users.length, 1);
    const [uid] = (users[0] ?? '').split(':');
    assert.match(uid ?? '', /^\d+$/, 'numeric, so the kubelet can verify runAsNonRoot');
    assert.notEqual(Number(uid), 0);
  });

  it('starts the controller from the compiled main that package.json bin loads, built by tsc from src/cli/main.ts', () => {
    const entrypoint = instructions.filter((i) => i.instruction === 'ENTRYPOINT');
    assert.equal(entrypoint.length, 1);
    const argv = JSON.parse(entrypoint[0]?.args ?? '') as string[];
    assert.equal(argv[0], 'node');
    assert.equal(argv.at(-1), 'controller');
    const script = argv.slice(1, -1).filter((a) => !a.startsWith('--'));
    // The bin is a Node-version check (bin/scanschedule.js) that then imports the compiled main; the image's Node
    // is current, so it runs the compiled main directly.
    const compiledMain = 'dist/cli/main.js';
    assert.ok(read(packageJson.bin.scanschedule ?? '').includes(`../${compiledMain}`));
    assert.deepEqual(script, [compiledMain]);
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { outDir: string; rootDir: string } };
    const source = compiledMain
      .replace(new RegExp(`^${build.compilerOptions.outDir}/`), `${build.compilerOptions.rootDir}/`)
      .replace(/\.js$/, '.ts');
    assert.ok(existsSync(join(ROOT, source)), `${source} does not exist`);
  });

  it('keeps node_modules, dist and the git history out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git'])
      assert.ok(ignored.includes(entry), `${entry} not in .dockerignore`);
  });
});

describe('manifests/', () => {
  it('puts every namespaced object in scanschedule-system', () => {
    for (const { file, object } of manifests) {
      const clusterScoped = [
        'Namespace',
        'ClusterRole',
        'ClusterRoleBinding',
        'ValidatingAdmissionPolicy',
        'ValidatingAdmissionPolicyBinding',
      ];
      if (clusterScoped.includes(object.kind)) continue;
      assert.equal(object.metadata.namespace, 'scanschedule-system', `${file}: ${object.kind} ${object.metadata.name}`);
    }
  });

  it('enforces restricted Pod Security in the namespace', () => {
    const labels = find(manifests, 'Namespace', 'scanschedule-system').metadata.labels ?? {};
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
  });

  it('lists every manifest and the CRDs in kustomization.yaml', () => {
    const kustomization = parseAllDocuments(read('manifests/kustomization.yaml'))[0]?.toJS() as { resources: string[] };
    const files = readdirSync(join(ROOT, 'manifests')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    assert.deepEqual([...kustomization.resources].sort(), ['../crds', ...files].sort());
    const namespacedKustomization = parseAllDocuments(read('manifests/namespaced/kustomization.yaml'))[0]?.toJS() as {
      resources: string[];
    };
    const namespacedFiles = readdirSync(join(ROOT, 'manifests/namespaced')).filter(
      (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
    );
    assert.deepEqual([...namespacedKustomization.resources].sort(), namespacedFiles.sort());
  });

  it('can reach the CRDs through ../crds as a kustomization', () => {
    const crds = parseAllDocuments(read('crds/kustomization.yaml'))[0]?.toJS() as { resources: string[] };
    const files = readdirSync(join(ROOT, 'crds')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    assert.deepEqual([...crds.resources].sort(), files.sort());
  });

  describe('the Deployment', () => {
    const deployment = find<{ spec: DeploymentSpec }>(manifests, 'Deployment');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    assert.ok(container !== undefined);
    const flag = (name: string): string | undefined =>
      container.args?.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
    const portOf = (name: string): number | undefined => container.ports?.find((p) => p.name === name)?.containerPort;

    it('runs two replicas with leader election', () => {
      assert.equal(deployment.spec.replicas, 2);
      assert.equal(flag('--leader-elect'), 'true');
    });

    it('passes only flags the controller accepts, each as --flag=value', () => {
      for (const arg of container.args ?? []) {
        const name = arg.split('=')[0] ?? '';
        assert.ok((CONTROLLER_FLAGS as readonly string[]).includes(name), `${arg} is not a controller flag`);
        assert.ok(arg.includes('='), `${arg}: use --flag=value so the value cannot be taken for a command`);
      }
    });

    it('runs as the ServiceAccount that the bindings grant permissions to', () => {
      const account = find(manifests, 'ServiceAccount', pod.serviceAccountName);
      for (const binding of [
        find<{ subjects: { kind: string; name: string; namespace: string }[] }>(manifests, 'ClusterRoleBinding'),
        find<{ subjects: { kind: string; name: string; namespace: string }[] }>(manifests, 'RoleBinding'),
        find<{ subjects: { kind: string; name: string; namespace: string }[] }>(namespaced, 'RoleBinding'),
      ]) {
        assert.deepEqual(binding.subjects, [
          { kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace },
        ]);
      }
    });

    it('probes /healthz and /readyz on the health port the flag binds, and exposes the metrics port', () => {
      const healthPort = Number(flag('--health-probe-bind-address')?.split(':').at(-1));
      const metricsPort = Number(flag('--metrics-bind-address')?.split(':').at(-1));
      assert.equal(portOf('health'), healthPort);
      assert.equal(portOf('metrics'), metricsPort);
      assert.equal(healthPort, 8081);
      assert.equal(metricsPort, 8080);
      assert.equal(container.livenessProbe?.httpGet.path, '/healthz');
      assert.equal(container.readinessProbe?.httpGet.path, '/readyz');
      for (const probe of [container.livenessProbe, container.readinessProbe]) {
        const port = probe?.httpGet.port;
        assert.equal(typeof port === 'string' ? portOf(port) : port, healthPort);
      }
    });

    it('gives the pod its name and namespace through the downward API', () => {
      const fieldOf = (name: string): string | undefined =>
        container.env?.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath;
      assert.equal(fieldOf('POD_NAME'), 'metadata.name');
      assert.equal(fieldOf('POD_NAMESPACE'), 'metadata.namespace');
    });

    it('meets restricted Pod Security', () => {
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
      const security = container.securityContext ?? {};
      assert.equal(security.allowPrivilegeEscalation, false);
      assert.equal(security.readOnlyRootFilesystem, true);
      assert.deepEqual(security.capabilities, { drop: ['ALL'] });
    });

    it('requests resources and limits memory', () => {
      assert.ok(container.resources?.requests?.cpu !== undefined && container.resources.requests.memory !== undefined);
      assert.ok(container.resources?.limits?.memory !== undefined);
    });

    it('runs the image of this package version', () => {
      assert.match(container.image, new RegExp(`:${packageJson.version.replace(/\./g, '\\.')}$`));
    });
  });

  describe('the ScanRun admission policy', () => {
    interface Policy {
      spec: {
        failurePolicy: string;
        matchConstraints: { resourceRules: { apiGroups: string[]; operations: string[]; resources: string[] }[] };
        variables: { name: string; expression: string }[];
      };
    }
    const policy = find<Policy>(manifests, 'ValidatingAdmissionPolicy');
    const binding = find<{ spec: { policyName: string; validationActions: string[] } }>(
      manifests,
      'ValidatingAdmissionPolicyBinding',
    );

    it('is bound, denying (not only warning or auditing), and fails closed', () => {
      assert.equal(binding.spec.policyName, policy.metadata.name);
      assert.deepEqual(binding.spec.validationActions, ['Deny']);
      assert.equal(policy.spec.failurePolicy, 'Fail');
    });

    it('matches creating and updating ScanRuns, their status and ScanSchedules’ status, but not deleting them', () => {
      const rules = policy.spec.matchConstraints.resourceRules;
      assert.deepEqual(
        rules.map((r) => r.apiGroups),
        [['jmo.security']],
      );
      assert.deepEqual(rules[0]?.operations, ['CREATE', 'UPDATE']);
      assert.deepEqual(rules[0]?.resources, ['scanruns', 'scanruns/status', 'scanschedules/status']);
    });

    it('lets through exactly the ServiceAccount the Deployment runs as', () => {
      const deployment = find<{ spec: DeploymentSpec }>(manifests, 'Deployment');
      const account = find(manifests, 'ServiceAccount', deployment.spec.template.spec.serviceAccountName);
      const controller = policy.spec.variables.find((v) => v.name === 'controller')?.expression;
      assert.equal(controller, `'system:serviceaccount:${account.metadata.namespace}:${account.metadata.name}'`);
    });
  });

  describe('RBAC', () => {
    const clusterRole = find<{ rules: PolicyRule[] }>(manifests, 'ClusterRole');
    const namespacedRole = find<{ rules: PolicyRule[] }>(namespaced, 'Role');
    const leaseRole = find<{ rules: PolicyRule[] }>(manifests, 'Role');
    const allows = (rules: PolicyRule[], group: string, resource: string, verb: string, name?: string): boolean =>
      rules.some(
        (r) =>
          r.apiGroups.includes(group) &&
          r.resources.includes(resource) &&
          r.verbs.includes(verb) &&
          (r.resourceNames === undefined || (name !== undefined && r.resourceNames.includes(name))),
      );

    it('binds the roles that exist', () => {
      const clusterBinding = find<{ roleRef: { kind: string; name: string } }>(manifests, 'ClusterRoleBinding');
      assert.deepEqual(clusterBinding.roleRef, {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: clusterRole.metadata.name,
      });
      const leaseBinding = find<{ roleRef: { kind: string; name: string } }>(manifests, 'RoleBinding');
      assert.deepEqual(leaseBinding.roleRef, {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: leaseRole.metadata.name,
      });
      const namespacedBinding = find<{ roleRef: { kind: string; name: string }; metadata: { namespace: string } }>(
        namespaced,
        'RoleBinding',
      );
      assert.equal(namespacedBinding.roleRef.name, namespacedRole.metadata.name);
      assert.equal(namespacedBinding.metadata.namespace, namespacedRole.metadata.namespace);
    });

    const needed: [group: string, resource: string, verbs: string[]][] = [
      ['jmo.security', 'scanschedules', ['get', 'list', 'watch']],
      ['jmo.security', 'scanschedules/status', ['update', 'patch']],
      ['jmo.security', 'scanruns', ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']],
      ['jmo.security', 'scanruns/status', ['update', 'patch']],
      ['batch', 'jobs', ['get', 'list', 'watch', 'create', 'delete']],
      ['', 'pods', ['get', 'list', 'watch']],
      ['events.k8s.io', 'events', ['create', 'patch']],
      ['', 'secrets', ['get']],
    ];
    const forbidden: [group: string, resource: string, verbs: string[]][] = [
      ['', 'secrets', ['list', 'watch', 'create', 'update', 'patch', 'delete']],
      ['', 'pods/exec', ['create', 'get']],
      ['', 'pods', ['create', 'delete', 'update', 'patch']],
      ['jmo.security', 'scanschedules', ['create', 'update', 'patch', 'delete']],
      ['batch', 'jobs', ['update', 'patch']],
      ['coordination.k8s.io', 'leases', ['get', 'create', 'update']],
    ];
    for (const [label, rules] of [
      ['the ClusterRole', clusterRole.rules],
      ['the namespaced Role', namespacedRole.rules],
    ] as const) {
      for (const [group, resource, verbs] of needed) {
        it(`${label} allows ${verbs.join(', ')} on ${group || 'core'}/${resource}`, () => {
          for (const verb of verbs) assert.ok(allows(rules, group, resource, verb), `${verb} ${resource} missing`);
        });
      }
      for (const [group, resource, verbs] of forbidden) {
        it(`${label} does not allow ${verbs.join(', ')} on ${group || 'core'}/${resource}`, () => {
          for (const verb of verbs) assert.ok(!allows(rules, group, resource, verb), `${verb} ${resource} granted`);
        });
      }
      it(`${label} uses no wildcard`, () => {
        for (const rule of rules) {
          for (const field of [rule.apiGroups, rule.resources, rule.verbs])
            assert.ok(!field.includes('*'), JSON.stringify(rule));
        }
      });
    }

    it('gives the namespaced Role exactly the ClusterRole’s rules', () => {
      assert.deepEqual(namespacedRole.rules, clusterRole.rules);
    });

    it('limits reading and renewing Leases to the controller’s own Lease, in its own namespace; lets it list them', () => {
      assert.equal(leaseRole.metadata.namespace, 'scanschedule-system');
      assert.ok(allows(leaseRole.rules, 'coordination.k8s.io', 'leases', 'create'));
      for (const verb of ['get', 'update']) {
        assert.ok(allows(leaseRole.rules, 'coordination.k8s.io', 'leases', verb, DEFAULT_LEASE_NAME), verb);
        assert.ok(!allows(leaseRole.rules, 'coordination.k8s.io', 'leases', verb, 'someone-elses-lease'), verb);
      }
      assert.ok(!allows(leaseRole.rules, 'coordination.k8s.io', 'leases', 'delete'));
      assert.ok(!allows(leaseRole.rules, 'coordination.k8s.io', 'leases', 'watch'));
      // The shard-count fence lists the namespace's Leases; a list cannot be narrowed by name.
      assert.ok(allows(leaseRole.rules, 'coordination.k8s.io', 'leases', 'list'));
    });
  });
});
