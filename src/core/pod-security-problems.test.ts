import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, ScanScheduleSpec } from '../api/types.ts';
import { aSchedule } from '../testing/builders.ts';
import { planSchedule } from './plan.ts';
import { podSecurityProblems } from './pod-security-problems.ts';
import { Reason } from './reasons.ts';
import { validateScanSchedule } from './validate.ts';

const specWith = (backend: Backend | undefined): ScanScheduleSpec => ({
  schedule: '0 2 * * *',
  jobTemplate: { targets: { repo: '/repos/app' } },
  ...(backend !== undefined && { backend }),
});

interface Case {
  name: string;
  backend: Backend | undefined;
  /** Paths of the problems, in order; [] when the pod is one restricted Pod Security admits. */
  paths: string[];
}

const cases: Case[] = [
  { name: 'accepts a schedule without backend settings', backend: undefined, paths: [] },
  {
    name: 'accepts every volume type restricted Pod Security allows',
    backend: {
      type: 'kubernetes',
      config: {
        volumes: [
          { name: 'a', configMap: { name: 'c' } },
          { name: 'b', csi: { driver: 'd' } },
          { name: 'c', downwardAPI: { items: [] } },
          { name: 'd', emptyDir: {} },
          { name: 'e', ephemeral: { volumeClaimTemplate: { spec: {} } } },
          { name: 'f', persistentVolumeClaim: { claimName: 'repos' } },
          { name: 'g', projected: { sources: [] } },
          { name: 'h', secret: { secretName: 's' } },
        ],
        volumeMounts: [{ name: 'f', mountPath: '/repos', readOnly: true }],
        env: [{ name: 'A', value: 'b' }],
        serviceAccountName: 'cluster-reader',
      },
    },
    paths: [],
  },
  {
    name: 'refuses a hostPath volume',
    backend: { config: { volumes: [{ name: 'repos', hostPath: { path: '/var/lib' } }] } },
    paths: ['spec.backend.config.volumes[0].hostPath'],
  },
  {
    name: 'refuses volume types that restricted Pod Security does not list (nfs, iscsi, gitRepo)',
    backend: {
      config: {
        volumes: [
          { name: 'ok', emptyDir: {} },
          { name: 'nfs', nfs: { server: 'x', path: '/' } },
          { name: 'iscsi', iscsi: {} },
          { name: 'git', gitRepo: { repository: 'x' } },
        ],
      },
    },
    paths: [
      'spec.backend.config.volumes[1].nfs',
      'spec.backend.config.volumes[2].iscsi',
      'spec.backend.config.volumes[3].gitRepo',
    ],
  },
  {
    name: 'refuses security settings smuggled in as unknown config keys',
    backend: {
      type: 'kubernetes',
      config: {
        securityContext: { privileged: true },
        privileged: true,
        hostNetwork: true,
        hostPID: true,
        hostIPC: true,
        capabilities: { add: ['SYS_ADMIN'] },
        procMount: 'Unmasked',
        sysctls: [{ name: 'kernel.shm_rmid_forced', value: '0' }],
        hostPort: 8080,
      },
    },
    paths: [
      'spec.backend.config.securityContext',
      'spec.backend.config.privileged',
      'spec.backend.config.hostNetwork',
      'spec.backend.config.hostPID',
      'spec.backend.config.hostIPC',
      'spec.backend.config.capabilities',
      'spec.backend.config.procMount',
      'spec.backend.config.sysctls',
      'spec.backend.config.hostPort',
    ],
  },
  {
    name: 'ignores other unknown keys (offline validation reports them as unknown fields)',
    backend: { config: { imagePullSecrets: [{ name: 'x' }] } },
    paths: [],
  },
  {
    name: 'leaves other backends’ settings to them',
    backend: { type: 'gitlab-ci', config: { volumes: [{ name: 'x', hostPath: { path: '/' } }], privileged: true } },
    paths: [],
  },
  {
    name: 'does not crash on malformed volumes (the schema reports those)',
    backend: { config: { volumes: 'hostPath' as unknown as [] } },
    paths: [],
  },
];

describe('podSecurityProblems', () => {
  for (const { name, backend, paths } of cases) {
    it(name, () => {
      assert.deepEqual(
        podSecurityProblems(specWith(backend)).map((p) => p.path),
        paths,
      );
    });
  }

  it('names the field, why it is refused and the fix', () => {
    const [problem] = podSecurityProblems(
      specWith({ config: { volumes: [{ name: 'repos', hostPath: { path: '/var/lib' } }] } }),
    );
    assert.deepEqual(problem?.segments, ['spec', 'backend', 'config', 'volumes', 0, 'hostPath']);
    assert.match(problem?.message ?? '', /hostPath volumes are refused: restricted Pod Security/);
    assert.match(problem?.fix ?? '', /persistentVolumeClaim/);
  });

  const hostPath: Backend = { config: { volumes: [{ name: 'repos', hostPath: { path: '/var/lib' } }] } };

  it('stalls the schedule with InvalidSpec and one Warning Event, creating no run', () => {
    const plan = planSchedule({
      schedule: aSchedule({ spec: { backend: hostPath } }),
      runs: [],
      now: new Date('2026-05-19T10:00:00Z'),
    });
    const stalled = plan.status.conditions?.find((c) => c.type === 'Stalled');
    assert.deepEqual([stalled?.status, stalled?.reason], ['True', Reason.InvalidSpec]);
    assert.match(stalled?.message ?? '', /hostPath volumes are refused/);
    assert.deepEqual(
      plan.events.filter((e) => e.type === 'Warning').map((e) => e.reason),
      [Reason.InvalidSpec],
    );
    assert.deepEqual(plan.create, []);
  });

  it('is reported by offline validation at the same path', () => {
    const schedule = aSchedule({ spec: { backend: hostPath } });
    assert.deepEqual(
      validateScanSchedule({ ...schedule, metadata: { name: 'nightly' } }).map((p) => p.path),
      ['spec.backend.config.volumes[0].hostPath'],
    );
  });
});
