// The controller image built by scripts/build-image.sh (buildah, vfs storage), and what the tests need to run it
// without a container runtime: a working container's root file system, mounted, entered with chroot.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const STORAGE = ['--storage-driver', 'vfs'];

/** Builds the image if its inputs changed and returns its name, e.g. localhost/scanschedule:0.1.0. */
export function buildImage(): string {
  return execFileSync('bash', [join(ROOT, 'scripts', 'build-image.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 900_000,
  }).trim();
}

export function buildah(args: readonly string[]): string {
  return execFileSync('buildah', [...STORAGE, ...args], { encoding: 'utf8', maxBuffer: 16 << 20 }).trim();
}

/** The image's OCI config: what a container runtime would run. */
export interface ImageConfig {
  User?: string;
  WorkingDir?: string;
  Entrypoint?: string[];
  Cmd?: string[] | null;
  Env?: string[];
  ExposedPorts?: Record<string, unknown>;
  Labels?: Record<string, string>;
}

export function imageConfig(image: string): ImageConfig {
  const inspected = JSON.parse(buildah(['inspect', '--type', 'image', image])) as { OCIv1: { config: ImageConfig } };
  return inspected.OCIv1.config;
}

/** A working container of the image with its root file system mounted; remove() unmounts and deletes it. */
export function mountedContainer(image: string): { rootfs: string; remove: () => void } {
  const container = buildah(['from', '--pull-never', image]);
  const rootfs = buildah(['mount', container]);
  return {
    rootfs,
    remove: () => {
      buildah(['umount', container]);
      buildah(['rm', container]);
    },
  };
}
