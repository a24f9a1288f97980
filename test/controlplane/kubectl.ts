// Runs kubectl against a control plane and keeps everything a failing assertion needs to explain itself.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { ControlPlane } from './control-plane.ts';

export interface KubectlResult {
  args: readonly string[];
  /** Exit code; null when kubectl was killed (timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin, e.g. a manifest for `apply -f -`. */
  input?: string;
  timeoutMs?: number;
}

/**
 * Never rejects on a non-zero exit: tests of rejected manifests need the stderr. The discovery cache lives in the
 * control plane's temp dir, because ports are reused across runs and a cache from an earlier cluster on the same
 * port would describe other resources.
 */
export function kubectl(
  controlPlane: Pick<ControlPlane, 'kubeconfigPath' | 'dir'>,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<KubectlResult> {
  const fullArgs = [
    `--kubeconfig=${controlPlane.kubeconfigPath}`,
    `--cache-dir=${join(controlPlane.dir, 'kubectl-cache')}`,
    '--request-timeout=60s',
    ...args,
  ];
  return new Promise((resolve, reject) => {
    const child = execFile(
      'kubectl',
      fullArgs,
      { timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code === 'string') {
          reject(new Error(`cannot run kubectl (${error.code}); it must be on PATH`, { cause: error }));
          return;
        }
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ args, code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input);
  });
}

/** One block for assertion messages: the command, the exit code and both streams. */
export function describeKubectl(result: KubectlResult): string {
  return [
    `$ kubectl ${result.args.join(' ')}`,
    `exit code: ${result.code ?? 'killed (timeout)'}`,
    `stdout:\n${result.stdout.trimEnd() || '(empty)'}`,
    `stderr:\n${result.stderr.trimEnd() || '(empty)'}`,
  ].join('\n');
}

/** `kubectl patch` arguments that merge `status` into an object's status subresource, as only a controller may. */
export function statusPatchArgs(resource: string, name: string, namespace: string, status: unknown): string[] {
  return [
    'patch',
    resource,
    name,
    '-n',
    namespace,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status }),
  ];
}
