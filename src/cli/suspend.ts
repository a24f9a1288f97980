// scanschedule suspend|resume NAME...: sets spec.suspend with a merge patch, as `kubectl patch` would. A
// GitOps tool that owns the schedule will set it back: change it in Git there.
import type { ClusterContext } from './cluster-context.ts';
import { NotFoundError } from './exit-codes.ts';
import type { CommandOutput } from './validate.ts';

export async function runSetSuspend(
  names: readonly string[],
  suspend: boolean,
  cluster: ClusterContext,
): Promise<CommandOutput> {
  const lines: string[] = [];
  for (const name of names) {
    if ((await cluster.objects.getSchedule(cluster.namespace, name)) === undefined)
      throw new NotFoundError(
        `scanschedules.jmo.security "${name}" not found in namespace ${cluster.namespace} (scanschedule get lists them)`,
      );
    await cluster.objects.setSuspend(cluster.namespace, name, suspend);
    lines.push(`scanschedule.jmo.security/${name} ${suspend ? 'suspended' : 'resumed'}`);
  }
  return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0 };
}
