// scanschedule logs RUN: the scan pod's logs, the scan (init container) then the report step, as
// `kubectl logs job/<job> --all-containers` would print them, found from the run rather than the Job's name.
import { REPORT_CONTAINER_NAME, SCAN_CONTAINER_NAME } from '../core/job-for-run.ts';
import type { ClusterContext } from './cluster-context.ts';
import { NotFoundError } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';
import type { CommandOutput } from './validate.ts';

export async function runLogs(run: string, tail: string | undefined, cluster: ClusterContext): Promise<CommandOutput> {
  const tailLines = tail === undefined ? undefined : Number(tail);
  if (tailLines !== undefined && (!Number.isInteger(tailLines) || tailLines < 0))
    throw new UsageError(`--tail ${tail}: give a whole number of lines`);
  const scanRun = await cluster.objects.getRun(cluster.namespace, run);
  if (scanRun === undefined)
    throw new NotFoundError(
      `scanruns.jmo.security "${run}" not found in namespace ${cluster.namespace} (scanschedule runs SCHEDULE lists them)`,
    );
  const jobName = scanRun.status?.jobName;
  if (jobName === undefined)
    return {
      stdout: '',
      stderr: `ScanRun ${run} has no Job yet (phase ${scanRun.status?.phase ?? 'Pending'}).\n`,
      exitCode: 1,
    };
  const pods = await cluster.core.listNamespacedPod({
    namespace: cluster.namespace,
    labelSelector: `batch.kubernetes.io/job-name=${jobName}`,
  });
  if (pods.items.length === 0)
    return {
      stdout: '',
      stderr: `Job ${jobName} of ScanRun ${run} has no pod (deleted after ttlSecondsAfterFinished, or not started).\n`,
      exitCode: 1,
    };
  const out: string[] = [];
  for (const pod of pods.items) {
    const name = pod.metadata?.name ?? '';
    for (const container of [SCAN_CONTAINER_NAME, REPORT_CONTAINER_NAME]) {
      let text: string;
      try {
        text = await cluster.core.readNamespacedPodLog({ name, namespace: cluster.namespace, container, tailLines });
      } catch {
        text = '(no log: the container has not started)\n';
      }
      out.push(`==> pod/${name} container ${container} <==\n${text}${text.endsWith('\n') || text === '' ? '' : '\n'}`);
    }
  }
  return { stdout: out.join(''), stderr: '', exitCode: 0 };
}
