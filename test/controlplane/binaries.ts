// Where etcd, kube-apiserver and kube-controller-manager are. build.sh is the one place that knows (it reads
// KUBEBUILDER_ASSETS or the versioned per-machine cache and builds what is missing), so this asks it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
}

export const BUILD_SCRIPT = join(import.meta.dirname, 'build.sh');

export function binariesIn(directory: string): ControlPlaneBinaries {
  return {
    etcd: join(directory, 'etcd'),
    kubeApiserver: join(directory, 'kube-apiserver'),
    kubeControllerManager: join(directory, 'kube-controller-manager'),
  };
}

/**
 * Returns the binaries, building them first when needed. `npm test` has already run build.sh as pretest, so here
 * it only prints the directory; run directly (node --test one file) on a fresh machine, it builds, and its
 * progress lines appear on stderr.
 */
export function locateBinaries(): Promise<ControlPlaneBinaries> {
  return new Promise((resolve, reject) => {
    const child = execFile('bash', [BUILD_SCRIPT], { maxBuffer: 1 << 20 }, (error, stdout) => {
      const directory = stdout.trim().split('\n').pop() ?? '';
      if (error !== null || directory === '') {
        reject(new Error(`bash ${BUILD_SCRIPT} failed; its messages are above`, { cause: error }));
        return;
      }
      resolve(binariesIn(directory));
    });
    child.stderr?.pipe(process.stderr);
  });
}
