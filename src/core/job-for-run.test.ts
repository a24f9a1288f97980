import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Job } from '@kubernetes/client-node';
import type { Backend, JobTemplate, ScanRun } from '../api/types.ts';
import {
  isJobOfRun,
  jobForRun,
  REPORT_CONTAINER_NAME,
  REPORT_ENTRYPOINT,
  SCAN_CONTAINER_NAME,
  scanCommand,
} from './job-for-run.ts';

const SCANNER = 'ghcr.io/jmo/scanner:1.0.0';
const REPORTER = 'ghcr.io/jmo/scanschedule:1.0.0';
const OPTIONS = { scannerImage: SCANNER, reportImage: REPORTER };

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

/** The scanner: the pod's only init container. */
function scanContainer(job: V1Job): V1Container {
  const init = job.spec?.template.spec?.initContainers ?? [];
  assert.equal(init.length, 1);
  const container = init[0];
  assert.ok(container !== undefined);
  return container;
}

/** Our report step: the pod's only main container. */
function reportContainer(job: V1Job): V1Container {
  const containers = job.spec?.template.spec?.containers ?? [];
  assert.equal(containers.length, 1);
  const container = containers[0];
  assert.ok(container !== undefined);
  return container;
}

// The default command itself (flags, order, the sh prelude) is pinned in jmo-command.test.ts.
describe('jobForRun', () => {
  it('names the Job after the run, in its namespace, labelled and annotated for the controller', () => {
    const job = jobForRun(aRun(), OPTIONS);
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
    const job = jobForRun(aRun({ annotations: {} }), OPTIONS);
    assert.equal(job.metadata?.annotations?.['jmo.security/scheduled-time'], '2026-05-19T00:00:00Z');
  });

  it('is owned by its ScanRun as controller, so deleting the run removes the Job', () => {
    const job = jobForRun(aRun(), OPTIONS);
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
    assert.throws(() => jobForRun(run, OPTIONS), /metadata\.name, namespace and uid/);
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
      const spec = jobForRun(aRun(c.backend !== undefined ? { backend: c.backend } : {}), OPTIONS).spec;
      assert.equal(spec?.backoffLimit, c.expected.backoffLimit);
      assert.equal(spec?.ttlSecondsAfterFinished, c.expected.ttlSecondsAfterFinished);
      assert.equal(spec?.activeDeadlineSeconds, c.expected.activeDeadlineSeconds);
      assert.equal(spec?.template.spec?.restartPolicy, 'Never');
    });
  }

  it('runs the default jmo scan command with the controller’s scanner image, without --fail-on', () => {
    const run = aRun({ jobTemplate: { options: { fail_on: 'HIGH' } } });
    const container = scanContainer(jobForRun(run, OPTIONS));
    const expected = scanCommand(run.spec.jobTemplate);
    assert.equal(container.name, SCAN_CONTAINER_NAME);
    assert.equal(container.image, SCANNER);
    assert.deepEqual(container.command, expected.slice(0, 1));
    assert.deepEqual(container.args, expected.slice(1));
    assert.ok(expected.includes('/results'), 'the scan writes to the results directory');
    // The controller judges fail_on from the report step's counts: the scanner never fails on findings.
    assert.ok(!expected.some((arg) => arg.includes('--fail-on')));
    assert.ok(!expected.includes('HIGH'));
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
      const container = scanContainer(jobForRun(aRun({ backend: { config: c.config } }), OPTIONS));
      assert.deepEqual(container.command, c.command);
      assert.deepEqual(container.args, c.args);
    });
  }

  it('meets restricted Pod Security on the pod and the scan container', () => {
    const job = jobForRun(aRun(), OPTIONS);
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

  it('reads the summary only from the report step’s termination-log file', () => {
    const container = reportContainer(jobForRun(aRun(), OPTIONS));
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
      const pod = jobForRun(aRun({ backend: { config } }), OPTIONS).spec?.template.spec;
      assert.equal(pod?.automountServiceAccountToken, c.automount);
      assert.equal(pod?.serviceAccountName, c.account);
    });
  }

  it('gives the read-only container writable emptyDirs at /tmp and the results directory', () => {
    const job = jobForRun(aRun({ jobTemplate: { results: { dir: '/out' } } }), OPTIONS);
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
      OPTIONS,
    );
    assert.deepEqual(scanContainer(onPvc).volumeMounts, [
      { name: 'scan-tmp', mountPath: '/tmp' },
      { name: 'keep', mountPath: '/results' },
    ]);
    const inTmp = jobForRun(aRun({ jobTemplate: { results: { dir: '/tmp' } } }), OPTIONS);
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
      OPTIONS,
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
    assert.deepEqual(jobForRun(aRun(), OPTIONS), jobForRun(aRun(), OPTIONS));
  });
});

describe('jobForRun: the two steps of the scan pod', () => {
  const secretUrl = 'https://hooks.slack.com/services/T/B/X';

  it('runs the scanner as the init container `scan` and our report step as the only main container `report`', () => {
    const job = jobForRun(aRun({ jobTemplate: { results: { dir: '/out' } } }), OPTIONS);
    assert.equal(scanContainer(job).name, SCAN_CONTAINER_NAME);
    assert.equal(SCAN_CONTAINER_NAME, 'scan');
    const report = reportContainer(job);
    assert.equal(report.name, REPORT_CONTAINER_NAME);
    assert.equal(REPORT_CONTAINER_NAME, 'report');
    assert.equal(report.image, REPORTER);
    assert.deepEqual(report.command, [...REPORT_ENTRYPOINT]);
    assert.deepEqual(report.args, ['/out', '--termination-log', '/dev/termination-log']);
  });

  it('keeps the report step on our image when backend.config sets the scanner image and command', () => {
    const job = jobForRun(aRun({ backend: { config: { image: 'custom:2', command: ['/bin/scan'] } } }), OPTIONS);
    assert.equal(scanContainer(job).image, 'custom:2');
    assert.equal(reportContainer(job).image, REPORTER);
    assert.deepEqual(reportContainer(job).command, [...REPORT_ENTRYPOINT]);
  });

  const mountCases: { name: string; run: ScanRun; scan: unknown[]; report: unknown[] }[] = [
    {
      name: 'mounts the results emptyDir read-only in the report step, with its own /tmp',
      run: aRun(),
      scan: [
        { name: 'scan-tmp', mountPath: '/tmp' },
        { name: 'scan-results', mountPath: '/results' },
      ],
      report: [
        { name: 'scan-tmp', mountPath: '/tmp' },
        { name: 'scan-results', mountPath: '/results', readOnly: true },
      ],
    },
    {
      name: 'mounts a user volume at the results directory read-only in the report step, and no other user mount',
      run: aRun({
        backend: {
          config: {
            volumes: [
              { name: 'keep', persistentVolumeClaim: { claimName: 'results' } },
              { name: 'src', persistentVolumeClaim: { claimName: 'src' } },
            ],
            volumeMounts: [
              { name: 'keep', mountPath: '/results' },
              { name: 'src', mountPath: '/repos' },
            ],
          },
        },
      }),
      scan: [
        { name: 'scan-tmp', mountPath: '/tmp' },
        { name: 'keep', mountPath: '/results' },
        { name: 'src', mountPath: '/repos' },
      ],
      report: [
        { name: 'scan-tmp', mountPath: '/tmp' },
        { name: 'keep', mountPath: '/results', readOnly: true },
      ],
    },
  ];
  for (const c of mountCases) {
    it(c.name, () => {
      const job = jobForRun(c.run, OPTIONS);
      assert.deepEqual(scanContainer(job).volumeMounts, c.scan);
      assert.deepEqual(reportContainer(job).volumeMounts, c.report);
    });
  }

  it('gives both containers the restricted security context, each its own copy', () => {
    const job = jobForRun(aRun(), OPTIONS);
    const expected = {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
    assert.deepEqual(scanContainer(job).securityContext, expected);
    assert.deepEqual(reportContainer(job).securityContext, expected);
    assert.notEqual(scanContainer(job).securityContext, reportContainer(job).securityContext);
  });

  it('puts no notification env var, URL or Secret reference in the pod: the controller notifies', () => {
    const job = jobForRun(
      aRun({
        jobTemplate: {
          notifications: {
            enabled: true,
            channels: [
              { type: 'slack', url: secretUrl },
              { type: 'webhook', urlFrom: { secretKeyRef: { name: 'hook-secret', key: 'url' } } },
            ],
          },
        },
      }),
      OPTIONS,
    );
    assert.equal(scanContainer(job).env, undefined);
    assert.equal(reportContainer(job).env, undefined);
    const pod = JSON.stringify(job);
    assert.doesNotMatch(pod, /hooks\.slack\.com/);
    assert.doesNotMatch(pod, /hook-secret/);
    assert.doesNotMatch(pod, /JMO_NOTIFY/);
  });
});

describe('isJobOfRun', () => {
  const run = aRun();
  const uid = run.metadata.uid ?? '';
  const owner = (ref: { uid: string; controller?: boolean }) => ({
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    name: 'nightly-29650920',
    ...ref,
  });
  const cases: { name: string; job: V1Job; run?: ScanRun; expected: boolean }[] = [
    { name: 'the Job built for the run is the run’s', job: jobForRun(run, OPTIONS), expected: true },
    {
      name: 'a Job whose controller owner has the run’s UID is the run’s',
      job: { metadata: { ownerReferences: [owner({ uid: 'other' }), owner({ uid, controller: true })] } },
      expected: true,
    },
    { name: 'a Job without owner references is not', job: { metadata: { name: 'nightly-29650920' } }, expected: false },
    {
      name: 'a Job owned by another run (a deleted and re-created run of the same name) is not',
      job: { metadata: { ownerReferences: [owner({ uid: 'uid-of-an-older-run', controller: true })] } },
      expected: false,
    },
    {
      name: 'an owner reference with the run’s UID that is not the controller is not enough',
      job: { metadata: { ownerReferences: [owner({ uid })] } },
      expected: false,
    },
    {
      name: 'nothing is a run’s Job while the run has no UID',
      job: { metadata: { ownerReferences: [owner({ uid, controller: true })] } },
      run: (() => {
        const noUid = aRun();
        delete noUid.metadata.uid;
        return noUid;
      })(),
      expected: false,
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(isJobOfRun(c.job, c.run ?? run), c.expected));
});
