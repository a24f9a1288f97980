// npm start: the whole product on this machine, with no cluster and no Docker. It validates examples/, starts a
// real kube-apiserver + etcd + kube-controller-manager (test/controlplane), applies examples/ and a fast demo
// schedule, runs the controller, and shows runs appearing. There is no kubelet, so a stand-in finishes each scan
// pod a few seconds after it is created, with made-up findings. On a terminal the tables redraw in place; piped,
// they scroll. Ctrl-C (or --for SECONDS) stops and cleans up, keeping the controller's log (its path is printed).
//   npm start                 # until Ctrl-C
//   npm start -- --for 60     # stop after 60 s
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../src/api/types.ts';
import { scheduleTable } from '../src/cli/get.ts';
import { newestFirst, runTable } from '../src/cli/runs.ts';
import { runValidate } from '../src/cli/validate.ts';
import { LOCAL_CONTROLLER_SETTINGS, startController } from '../src/kube/controller.ts';
import { createLogger } from '../src/observe/logger.ts';
import { startControlPlane } from '../test/controlplane/control-plane.ts';
import { describeKubectl, kubectl } from '../test/controlplane/kubectl.ts';
import {
  aSchedule,
  clientsFor,
  createSchedule,
  findingsMessage,
  finishScanPod,
} from '../test/integration/controller-harness.ts';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { for: { type: 'string' } } });
const stopAfterMs = values.for === undefined ? undefined : Number(values.for) * 1000;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const validation = runValidate(
  [join(root, 'examples')],
  { strict: false, output: 'text', namespace: 'default' },
  () => '',
);
say(`== scanschedule validate examples/\n${validation.stdout.trimEnd()}`);
if (validation.exitCode !== 0) process.exit(validation.exitCode);

// Outside the control plane's directory, which is removed on exit: the log is what explains what happened.
const logFile = join(mkdtempSync(join(tmpdir(), 'scanschedule-demo-')), 'controller.log');
say('== starting a local control plane (etcd, kube-apiserver, kube-controller-manager)');
const controlPlane = await startControlPlane({ log: (message) => say(`   ${message}`) });
let stopping = false;
const stopAll = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  say('== stopping');
  await controller?.stop();
  await controlPlane.stop();
  say(`== the controller's log is kept: ${logFile}`);
};
process.once('SIGINT', () => void stopAll().then(() => process.exit(0)));
process.once('SIGTERM', () => void stopAll().then(() => process.exit(0)));

await controlPlane.startControllerManager();
const clients = clientsFor(controlPlane);
const applied = await kubectl(controlPlane, ['apply', '--server-side', '-f', join(root, 'examples')]);
if (applied.code !== 0) throw new Error(describeKubectl(applied));
say(`== kubectl apply --server-side -f examples/\n${applied.stdout.trimEnd()}`);
await createSchedule(
  clients,
  aSchedule('default', 'demo-every-20s', {
    schedule: '@every 20s',
    concurrencyPolicy: 'Forbid',
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 2,
    jobTemplate: { profile: 'fast', targets: { repos_dir: '/repos' }, options: { fail_on: 'CRITICAL' } },
  }),
);
say('== created scanschedule demo-every-20s (@every 20s) so runs appear while you watch');

let controller: Awaited<ReturnType<typeof startController>> | undefined = await startController({
  ...LOCAL_CONTROLLER_SETTINGS,
  kubeConfig: clients.config,
  log: createLogger({ level: 'info', destination: (await import('pino')).destination(logFile) }),
});
say(`== controller running (logs: ${logFile}; metrics: http://127.0.0.1:${controller.metricsPort}/metrics)`);
const hints = [
  `In another terminal:\n  export KUBECONFIG=${controlPlane.kubeconfigPath}`,
  '  kubectl get scansched        npx scanschedule describe demo-every-20s        npx scanschedule runs demo-every-20s',
  `Controller log: ${logFile}    Ctrl-C stops.`,
].join('\n');
say(`\n${hints}\n`);

// On a terminal each frame replaces the last (cursor home, clear to the end); piped, frames follow each other.
const tty = process.stdout.isTTY === true;
const show = (frame: string): void => {
  process.stdout.write(tty ? `\x1b[H\x1b[J${frame}\n` : `${frame}\n\n`);
};

// The stand-in kubelet: finishes each scan pod about 5 s after it appears; one scan in four finds a critical.
const finished = new Set<string>();
let scans = 0;
const kubelet = async (): Promise<void> => {
  const pods = await clients.core.listPodForAllNamespaces({ labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY}` });
  for (const pod of pods.items) {
    const job = pod.metadata?.labels?.['batch.kubernetes.io/job-name'];
    const created = pod.metadata?.creationTimestamp;
    if (job === undefined || finished.has(job) || created === undefined) continue;
    if (Date.now() - new Date(created).getTime() < 5_000) continue;
    finished.add(job);
    const critical = ++scans % 4 === 0 ? 1 : 0;
    const findings = { critical, high: scans % 3, medium: 4, low: 7, info: 2 };
    // The scanner exits 0 and the report step summarises; a schedule with fail_on judges the findings.
    await finishScanPod(clients, pod.metadata?.namespace ?? 'default', job, {
      exitCode: 0,
      message: findingsMessage(findings),
    });
  }
};

const started = Date.now();
while (!stopping && (stopAfterMs === undefined || Date.now() - started < stopAfterMs)) {
  await kubelet().catch((error: unknown) => say(`   stand-in kubelet: ${(error as Error).message}`));
  const now = new Date();
  const schedules = await clients.objects.listSchedules('default');
  const runs = newestFirst(await clients.objects.listRuns('default'));
  show(
    [
      `== ${now.toISOString()}  scanschedule get`,
      scheduleTable(schedules, { allNamespaces: false, output: 'table' }, now).trimEnd(),
      '== scan runs (newest first)',
      runs.length === 0 ? '(none yet)' : runTable(runs.slice(0, 8), now, false).trimEnd(),
      ...(tty ? ['', hints] : []),
    ].join('\n'),
  );
  await sleep(tty ? 2_000 : 10_000);
}
await stopAll();
controller = undefined;
