// scanschedule trigger NAME: asks for a manual run now by setting the jmo.security/run-now annotation, the same
// way a GitOps commit or `kubectl annotate` would. The controller creates one run per new token.
import { randomBytes } from 'node:crypto';
import { ANNOTATION_RUN_NOW } from '../api/types.ts';
import { manualRunName } from '../core/index.ts';
import type { ClusterContext } from './cluster-context.ts';
import { NotFoundError } from './exit-codes.ts';
import type { CommandOutput } from './validate.ts';

export async function runTrigger(name: string, cluster: ClusterContext): Promise<CommandOutput> {
  const existing = await cluster.objects.getSchedule(cluster.namespace, name);
  if (existing === undefined)
    throw new NotFoundError(`scanschedules.jmo.security "${name}" not found in namespace ${cluster.namespace}`);
  const token = `${cluster.now.toISOString()}-${randomBytes(3).toString('hex')}`;
  await cluster.objects.annotateSchedule(cluster.namespace, name, ANNOTATION_RUN_NOW, token);
  const run = manualRunName(name, token);
  return {
    stdout: `scanschedule.jmo.security/${name} triggered: run ${run} will start (${ANNOTATION_RUN_NOW}=${token})\n`,
    stderr: '',
    exitCode: 0,
  };
}
