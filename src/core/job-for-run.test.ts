import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Job } from '@kubernetes/client-node';
import type { Backend, JobTemplate, ScanRun } from '../api/types.ts';
import { jobForRun, notificationEnv, SCAN_CONTAINER_NAME, scanCommand } from './job-for-run.ts';

const SCANNER = 'ghcr.io/jmo/scanner:1.0.0';

function aRun(
  overrides: { jobTemplate?: Partial<JobTemplate>; backend?: Backend; annotations?: Record<string, string> } = {},
): ScanRun {
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: {
      name: 'nightly-29650920',
      namespace: 'security',
      uid: '6f1c2d9e-0000-4000-8000-000000000001',
      labels: { 'app.kubernetes.io/managed-by': 'scanschedule', 'jmo.security/schedule': 'nightly' },
      annotations: overrides.annotations ?? { 'jmo.security/scheduled-time': '2026-05-19T02:00:00+02:00' },
    },
    spec: {
      scheduleRef: { name: 'nightly' },
      scheduledTime: '2026-05-19T00:00:00Z',
      trigger: 'schedule',
      jobTemplate: { targets: { repos_dir: '/repos' }, ...overrides.jobTemplate },
      ...(overrides.backend !== undefined && { backend: overrides.backend }),
    },
  };
}

function scanContainer(job: V1Job): V1Container {
  const container = job.spec?.template.spec?.containers[0];
  assert.ok(container !== undefined);
  return container;
}

describe('scanCommand', () => {
  const cases: { name: string; template: JobTemplate; expected: string[] }[] = [
    {
      name: 'uses the balanced profile and /results when nothing else is set',
      template: { targets: { repo: '/src' } },
      expected: ['jmo', 'scan', '--profile', 'balanced', '--repo', '/src', '--results-dir', '/results'],
    },
    {
      name: 'repeats --image and --url per target, in order',
      template: {
        profile: 'fast',
        targets: { images: ['nginx:1.27', 'redis:7'], urls: ['https://a.example', 'https://b.example'] },
      },
      expected: [
        'jmo',
        'scan',
        '--profile',
        'fast',
        '--image',
        'nginx:1.27',
        '--image',
        'redis:7',
        '--url',
        'https://a.example',
        '--url',
        'https://b.example',
        '--results-dir',
        '/results',
      ],
    },
    {
      name: 'passes every target kind and option in the documented order',
      template: {
        profile: 'deep',
        targets: { repo: '/r', repos_dir: '/repos', k8s_context: 'prod', k8s_namespace: 'apps' },
        results: { dir: '/out' },
        options: { fail_on: 'HIGH', threads: 4, timeout: 600, allow_missing_tools: true, human_logs: true },
      },
      expected: [
        'jmo',
        'scan',
        '--profile',
        'deep',
        '--repo',
        '/r',
        '--repos-dir',
        '/repos',
        '--k8s-context',
        'prod',
        '--k8s-namespace',
        'apps',
        '--results-dir',
        '/out',
        '--fail-on',
        'HIGH',
        '--threads',
        '4',
        '--timeout',
        '600',
        '--allow-missing-tools',
        '--human-logs',
      ],
    },
    {
      name: 'leaves out boolean flags that are false',
      template: { targets: { repo: '/r' }, options: { allow_missing_tools: false, human_logs: false } },
      expected: ['jmo', 'scan', '--profile', 'balanced', '--repo', '/r', '--results-dir', '/results'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(scanCommand(c.template), c.expected));
});

describe('jobForRun', () => {
  it('names the Job after the run, in its namespace, labelled and annotated for the controller', () => {
    const job = jobForRun(aRun(), { scannerImage: SCANNER });
    assert.equal(job.metadata?.name, 'nightly-29650920');
    assert.equal(job.metadata?.namespace, 'security');
    assert.deepEqual(job.metadata?.labels, {
      'app.kubernetes.io/managed-by': 'scanschedule',
      'jmo.security/schedule': 'nightly',
    });
    assert.deepEqual(job.metadata?.annotations, { 'jmo.security/scheduled-time': '2026-05-19T02:00:00+02:00' });
    assert.deepEqual(job.spec?.template.metadata?.labels, job.metadata?.labels, 'pods carry the labels too');
  });

  it('falls back to spec.scheduledTime when the run has no scheduled-time annotation', () => {
    const job = jobForRun(aRun({ annotations: {} }), { scannerImage: SCANNER });
    assert.equal(job.metadata?.annotations?.['jmo.security/scheduled-time'], '2026-05-19T00:00:00Z');
  });

  it('is owned by its ScanRun as controller, so deleting the run removes the Job', () => {
    const job = jobForRun(aRun(), { scannerImage: SCANNER });
    assert.deepEqual(job.metadata?.ownerReferences, [
      {
        apiVersion: 'jmo.security/v1alpha1',
        kind: 'ScanRun',
        name: 'nightly-29650920',
        uid: '6f1c2d9e-0000-4000-8000-000000000001',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('refuses a run without a uid rather than make a Job nothing owns', () => {
    const run = aRun();
    delete run.metadata.uid;
    assert.throws(() => jobForRun(run, { scannerImage: SCANNER }), /metadata\.name, namespace and uid/);
  });

  const specCases: {
    name: string;
    backend?: Backend;
    expected: { backoffLimit: number; ttlSecondsAfterFinished: number; activeDeadlineSeconds?: number };
  }[] = [
    {
      name: 'does not retry a failed scan and keeps the finished Job for an hour by default',
      expected: { backoffLimit: 0, ttlSecondsAfterFinished: 3600 },
    },
    {
      name: 'takes backoffLimit, ttlSecondsAfterFinished and activeDeadlineSeconds from backend.config',
      backend: {
        type: 'kubernetes',
        config: { backoffLimit: 2, ttlSecondsAfterFinished: 60, activeDeadlineSeconds: 7200 },
      },
      expected: { backoffLimit: 2, ttlSecondsAfterFinished: 60, activeDeadlineSeconds: 7200 },
    },
  ];
  for (const c of specCases) {
    it(c.name, () => {
      const spec = jobForRun(aRun(c.backend !== undefined ? { backend: c.backend } : {}), {
        scannerImage: SCANNER,
      }).spec;
      assert.equal(spec?.backoffLimit, c.expected.backoffLimit);
      assert.equal(spec?.ttlSecondsAfterFinished, c.expected.ttlSecondsAfterFinished);
      assert.equal(spec?.activeDeadlineSeconds, c.expected.activeDeadlineSeconds);
      assert.equal(spec?.template.spec?.restartPolicy, 'Never');
    });
  }

  it('runs the default jmo scan command with the controller’s scanner image', () => {
    const container = scanContainer(
      jobForRun(aRun({ jobTemplate: { options: { fail_on: 'HIGH' } } }), { scannerImage: SCANNER }),
    );
    assert.equal(container.name, SCAN_CONTAINER_NAME);
    assert.equal(container.image, SCANNER);
    assert.deepEqual(container.command, ['jmo']);
    assert.deepEqual(container.args, [
      'scan',
      '--profile',
      'balanced',
      '--repos-dir',
      '/repos',
      '--results-dir',
      '/results',
      '--fail-on',
      'HIGH',
    ]);
  });

  const commandCases: {
    name: string;
    config: { command?: string[]; args?: string[] };
    command?: string[];
    args?: string[];
  }[] = [
    {
      name: 'uses backend.config.command and args instead of the default',
      config: { command: ['/bin/scan'], args: ['--all'] },
      command: ['/bin/scan'],
      args: ['--all'],
    },
    { name: 'runs args alone through the image’s entrypoint', config: { args: ['--all'] }, args: ['--all'] },
    {
      name: 'runs command alone without default arguments',
      config: { command: ['/bin/scan'] },
      command: ['/bin/scan'],
    },
  ];
  for (const c of commandCases) {
    it(c.name, () => {
      const container = scanContainer(jobForRun(aRun({ backend: { config: c.config } }), { scannerImage: SCANNER }));
      assert.deepEqual(container.command, c.command);
      assert.deepEqual(container.args, c.args);
    });
  }

  it('meets restricted Pod Security on the pod and the container', () => {
    const job = jobForRun(aRun(), { scannerImage: SCANNER });
    const pod = job.spec?.template.spec;
    assert.deepEqual(pod?.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const security = scanContainer(job).securityContext;
    assert.equal(security?.runAsNonRoot, true);
    assert.equal(security?.allowPrivilegeEscalation, false);
    assert.equal(security?.readOnlyRootFilesystem, true);
    assert.deepEqual(security?.capabilities, { drop: ['ALL'] });
    assert.deepEqual(security?.seccompProfile, { type: 'RuntimeDefault' });
  });

  it('reads findings only from the termination-log file', () => {
    const container = scanContainer(jobForRun(aRun(), { scannerImage: SCANNER }));
    assert.equal(container.terminationMessagePolicy, 'File');
    assert.equal(container.terminationMessagePath, '/dev/termination-log');
  });

  const tokenCases: {
    name: string;
    serviceAccountName?: string;
    automount: boolean | undefined;
    account: string | undefined;
  }[] = [
    { name: 'mounts no API token when no service account is set', automount: false, account: undefined },
    {
      name: 'uses the given service account with its token',
      serviceAccountName: 'scanner',
      automount: undefined,
      account: 'scanner',
    },
  ];
  for (const c of tokenCases) {
    it(c.name, () => {
      const config = c.serviceAccountName !== undefined ? { serviceAccountName: c.serviceAccountName } : {};
      const pod = jobForRun(aRun({ backend: { config } }), { scannerImage: SCANNER }).spec?.template.spec;
      assert.equal(pod?.automountServiceAccountToken, c.automount);
      assert.equal(pod?.serviceAccountName, c.account);
    });
  }

  it('gives the read-only container writable emptyDirs at /tmp and the results directory', () => {
    const job = jobForRun(aRun({ jobTemplate: { results: { dir: '/out' } } }), { scannerImage: SCANNER });
    assert.deepEqual(job.spec?.template.spec?.volumes, [
      { name: 'scan-tmp', emptyDir: {} },
      { name: 'scan-results', emptyDir: {} },
    ]);
    assert.deepEqual(scanContainer(job).volumeMounts, [
      { name: 'scan-tmp', mountPath: '/tmp' },
      { name: 'scan-results', mountPath: '/out' },
    ]);
  });

  it('leaves the results directory to a volume the user mounts there, and mounts /tmp once when results go there', () => {
    const onPvc = jobForRun(
      aRun({
        backend: {
          config: {
            volumes: [{ name: 'keep', persistentVolumeClaim: { claimName: 'results' } }],
            volumeMounts: [{ name: 'keep', mountPath: '/results' }],
          },
        },
      }),
      { scannerImage: SCANNER },
    );
    assert.deepEqual(scanContainer(onPvc).volumeMounts, [
      { name: 'scan-tmp', mountPath: '/tmp' },
      { name: 'keep', mountPath: '/results' },
    ]);
    const inTmp = jobForRun(aRun({ jobTemplate: { results: { dir: '/tmp' } } }), { scannerImage: SCANNER });
    assert.deepEqual(scanContainer(inTmp).volumeMounts, [{ name: 'scan-tmp', mountPath: '/tmp' }]);
  });

  it('copies the pass-through pod settings of backend.config', () => {
    const job = jobForRun(
      aRun({
        backend: {
          config: {
            image: 'custom:2',
            imagePullPolicy: 'Always',
            resources: { limits: { memory: '4Gi' } },
            env: [{ name: 'EXTRA', value: '1' }],
            nodeSelector: { workload: 'batch' },
            tolerations: [{ key: 'batch', operator: 'Exists' }],
          },
        },
      }),
      { scannerImage: SCANNER },
    );
    const container = scanContainer(job);
    assert.equal(container.image, 'custom:2');
    assert.equal(container.imagePullPolicy, 'Always');
    assert.deepEqual(container.resources, { limits: { memory: '4Gi' } });
    assert.deepEqual(container.env, [{ name: 'EXTRA', value: '1' }]);
    assert.deepEqual(job.spec?.template.spec?.nodeSelector, { workload: 'batch' });
    assert.deepEqual(job.spec?.template.spec?.tolerations, [{ key: 'batch', operator: 'Exists' }]);
  });

  it('is the same Job for the same run (deterministic)', () => {
    assert.deepEqual(jobForRun(aRun(), { scannerImage: SCANNER }), jobForRun(aRun(), { scannerImage: SCANNER }));
  });
});

describe('notificationEnv', () => {
  const secretUrl = 'https://hooks.slack.com/services/T/B/X';
  const cases: { name: string; template: JobTemplate; expected: unknown[] }[] = [
    {
      name: 'passes a Secret-backed URL as a secretKeyRef, never as a value',
      template: {
        targets: { repo: '/r' },
        notifications: {
          enabled: true,
          channels: [{ type: 'slack', urlFrom: { secretKeyRef: { name: 'slack', key: 'url' } } }],
        },
      },
      expected: [
        { name: 'JMO_NOTIFY_URL_0', valueFrom: { secretKeyRef: { name: 'slack', key: 'url' } } },
        { name: 'JMO_NOTIFY_TYPE_0', value: 'slack' },
      ],
    },
    {
      name: 'passes an inline URL as a plain value, numbered by channel index',
      template: {
        targets: { repo: '/r' },
        notifications: {
          enabled: true,
          channels: [
            { type: 'webhook', urlFrom: { secretKeyRef: { name: 'hook', key: 'u' } } },
            { type: 'webhook', url: secretUrl },
          ],
        },
      },
      expected: [
        { name: 'JMO_NOTIFY_URL_0', valueFrom: { secretKeyRef: { name: 'hook', key: 'u' } } },
        { name: 'JMO_NOTIFY_TYPE_0', value: 'webhook' },
        { name: 'JMO_NOTIFY_URL_1', value: secretUrl },
        { name: 'JMO_NOTIFY_TYPE_1', value: 'webhook' },
      ],
    },
    {
      name: 'passes nothing while notifications are not enabled',
      template: { targets: { repo: '/r' }, notifications: { channels: [{ type: 'webhook', url: secretUrl }] } },
      expected: [],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(notificationEnv(c.template), c.expected));

  it('never puts a notification URL in the command line', () => {
    const job = jobForRun(
      aRun({ jobTemplate: { notifications: { enabled: true, channels: [{ type: 'slack', url: secretUrl }] } } }),
      { scannerImage: SCANNER },
    );
    const container = scanContainer(job);
    assert.doesNotMatch(JSON.stringify([container.command, container.args]), /hooks\.slack\.com/);
  });
});
