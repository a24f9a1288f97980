// What one API write of each kind the controller makes costs the API server, in CPU: the figures behind
// docs/scaling.md's "our writes are dearer than KCM's". N of each write through the controller's own JsonWrites
// (what a burst sends), at a fixed concurrency, against one real control plane; the API server's
// process_cpu_seconds_total before and after each kind. Asserts nothing (not part of npm test).
//
//   node bench/write-costs.ts [--n 500]     (npm run bench:writes)
import { parseArgs } from 'node:util';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { request } from 'undici';
import { API_VERSION, SCAN_SCHEDULE_KIND, type ScanRun, type ScanSchedule } from '../src/api/types.ts';
import { jobForRun } from '../src/core/job-for-run.ts';
import { newRun } from '../src/core/new-run.ts';
import { scheduledRunName } from '../src/core/run-names.ts';
import { JsonWrites, MERGE_PATCH_CONTENT } from '../src/kube/json-writes.ts';
import { loadKubeConfig } from '../src/kube/kube-config.ts';
import { startControlPlane } from '../test/controlplane/control-plane.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '500' } } });
const N = Number(values.n);
const CONCURRENCY = 16;
const NAMESPACE = 'write-costs';

async function inParallel<T>(items: readonly T[], concurrency: number, each: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await each(items[next++] as T);
    }),
  );
}

const controlPlane = await startControlPlane();
try {
  const config = loadKubeConfig(controlPlane.kubeconfigPath);
  const writes = new JsonWrites(config, { timeoutMs: 60_000 });
  const server = config.getCurrentCluster()?.server ?? '';
  const apiServerCpuSeconds = async (): Promise<number> => {
    const context = new RequestContext(`${server}/metrics`, HttpMethod.GET);
    await config.applySecurityAuthentication(context);
    const response = await request(`${server}/metrics`, {
      headers: context.getHeaders(),
      dispatcher: context.getDispatcher(),
    });
    const text = await response.body.text();
    const line = text.split('\n').find((l) => l.startsWith('process_cpu_seconds_total '));
    return Number(line?.split(' ')[1]);
  };
  await writes.send('POST', '/api/v1/namespaces', { metadata: { name: NAMESPACE } });

  const schedules: ScanSchedule[] = Array.from({ length: N }, (_, i) => ({
    apiVersion: API_VERSION,
    kind: SCAN_SCHEDULE_KIND,
    metadata: { name: `scan-${String(i).padStart(5, '0')}`, namespace: NAMESPACE },
    spec: {
      schedule: '0 2 * * *',
      timezone: 'Europe/Berlin',
      concurrencyPolicy: 'Allow',
      jobTemplate: { profile: 'fast', targets: { repos_dir: '/repos' } },
      backend: { type: 'kubernetes', config: { image: 'ghcr.io/jimmy058910/jmo-security:latest' } },
    },
  }));
  const scheduledMs = Date.UTC(2026, 11, 1, 2, 0, 0);
  const created: ScanSchedule[] = [];
  const runs: ScanRun[] = [];
  const rows: { what: string; serverMs: number; clientMs: number; elapsedMs: number }[] = [];
  const clientCpuMs = (): number => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const measure = async (what: string, each: (i: number) => Promise<unknown>): Promise<void> => {
    const before = await apiServerCpuSeconds();
    const clientBefore = clientCpuMs();
    const started = performance.now();
    await inParallel(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      each,
    );
    const elapsedMs = performance.now() - started;
    const clientMs = clientCpuMs() - clientBefore;
    rows.push({ what, serverMs: ((await apiServerCpuSeconds()) - before) * 1000, clientMs, elapsedMs });
  };

  await measure('POST scanschedules', async (i) => {
    const schedule = schedules[i] as ScanSchedule;
    created[i] = (await writes.send(
      'POST',
      `/apis/jmo.security/v1alpha1/namespaces/${NAMESPACE}/scanschedules`,
      schedule,
    )) as ScanSchedule;
  });
  const status = (i: number, runName: string) => ({
    metadata: { resourceVersion: created[i]?.metadata.resourceVersion },
    status: {
      observedGeneration: 1,
      conditions: ['Ready', 'Stalled', 'Reconciling', 'Suspended'].map((type) => ({
        type,
        status: type === 'Ready' ? 'True' : 'False',
        reason: 'Scheduled',
        message: 'next run at 2026-12-02T02:00:00+01:00',
        lastTransitionTime: '2026-12-01T00:00:00Z',
        observedGeneration: 1,
      })),
      nextScheduleTime: '2026-12-02T01:00:00Z',
      lastScheduleTime: '2026-12-01T01:00:00Z',
      active: 1,
      activeRuns: [runName],
      startedJobs: [runName],
      succeeded: 0,
      failed: 0,
      effectiveSchedule: '0 2 * * *',
    },
  });
  await measure('POST scanruns', async (i) => {
    const schedule = created[i] as ScanSchedule;
    const run = newRun(schedule, {
      name: scheduledRunName(schedule.metadata.name ?? '', scheduledMs),
      scheduledMs,
      trigger: 'schedule',
      timezone: 'Europe/Berlin',
    });
    runs[i] = (await writes.send(
      'POST',
      `/apis/jmo.security/v1alpha1/namespaces/${NAMESPACE}/scanruns`,
      run,
    )) as ScanRun;
  });
  await measure('POST jobs', async (i) => {
    const job = jobForRun(runs[i] as ScanRun, { scannerImage: 'scanner:1', reportImage: 'report:1' });
    await writes.send('POST', `/apis/batch/v1/namespaces/${NAMESPACE}/jobs`, job);
  });
  await measure('PATCH scanschedules/status', async (i) => {
    const name = created[i]?.metadata.name ?? '';
    created[i] = (await writes.send(
      'PATCH',
      `/apis/jmo.security/v1alpha1/namespaces/${NAMESPACE}/scanschedules/${name}/status`,
      status(i, runs[i]?.metadata.name ?? ''),
      MERGE_PATCH_CONTENT,
    )) as ScanSchedule;
  });
  await measure('PUT scanschedules/status', async (i) => {
    const name = created[i]?.metadata.name ?? '';
    const path = `/apis/jmo.security/v1alpha1/namespaces/${NAMESPACE}/scanschedules/${name}/status`;
    const current = created[i] as ScanSchedule;
    const next = status(i, `${runs[i]?.metadata.name ?? ''}-2`);
    created[i] = (await writes.send('PUT', path, {
      ...current,
      status: next.status,
    })) as ScanSchedule;
  });
  await measure('PATCH scanruns/status', async (i) => {
    const run = runs[i] as ScanRun;
    await writes.send(
      'PATCH',
      `/apis/jmo.security/v1alpha1/namespaces/${NAMESPACE}/scanruns/${run.metadata.name}/status`,
      {
        metadata: { resourceVersion: run.metadata.resourceVersion },
        status: { phase: 'Running', jobName: run.metadata.name },
      },
      MERGE_PATCH_CONTENT,
    );
  });
  console.log(
    `CPU per write (API server, this client: JsonWrites), ${N} of each at concurrency ${CONCURRENCY}, no watchers; writes per second:`,
  );
  for (const { what, serverMs, clientMs, elapsedMs } of rows) {
    const perSecond = (N / elapsedMs) * 1000;
    console.log(
      `  ${what.padEnd(28)} ${(serverMs / N).toFixed(2)} ms  ${(clientMs / N).toFixed(2)} ms  ${perSecond.toFixed(0)}/s`,
    );
  }
} finally {
  await controlPlane.stop();
}
