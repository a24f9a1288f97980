// scanschedule delete NAME...: deletes schedules; their ScanRuns and Jobs go with them (owner references).
import { GROUP, SCAN_SCHEDULE_PLURAL, VERSION } from '../api/types.ts';
import type { ClusterContext } from './cluster-context.ts';
import { EXIT } from './exit-codes.ts';
import type { CommandOutput } from './validate.ts';

export async function runDelete(
  names: readonly string[],
  ignoreNotFound: boolean,
  cluster: ClusterContext,
): Promise<CommandOutput> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  for (const name of names) {
    if ((await cluster.objects.getSchedule(cluster.namespace, name)) === undefined) {
      if (!ignoreNotFound)
        stderr.push(
          `Error from server (NotFound): scanschedules.jmo.security "${name}" not found in namespace ${cluster.namespace}`,
        );
      continue;
    }
    await cluster.custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: SCAN_SCHEDULE_PLURAL,
      namespace: cluster.namespace,
      name,
      propagationPolicy: 'Background',
    });
    stdout.push(`scanschedule.jmo.security "${name}" deleted`);
  }
  return {
    stdout: stdout.length === 0 ? '' : `${stdout.join('\n')}\n`,
    stderr: stderr.length === 0 ? '' : `${stderr.join('\n')}\n`,
    exitCode: stderr.length === 0 ? EXIT.ok : EXIT.failed,
  };
}
