// The Dockerfile (for users with Docker) and scripts/build-image.sh (CI, buildah) describe the same image: the
// runtime stage's entrypoint, user, working directory, environment, ports and copied paths are compared with
// the buildah image's config and root file system.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildImage, type ImageConfig, imageConfig, mountedContainer } from './image.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const packageVersion = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The instructions of the Dockerfile's last stage, continuation lines joined. */
function runtimeStage(): { instruction: string; argument: string }[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  const lastFrom = lines.findLastIndex((line) => /^FROM\s/i.test(line));
  return lines.slice(lastFrom + 1).map((line) => {
    const [instruction = '', ...rest] = line.trim().split(/\s+/);
    return { instruction: instruction.toUpperCase(), argument: rest.join(' ') };
  });
}

const stage = runtimeStage();
const dockerfile = (instruction: string): string[] =>
  stage.filter((s) => s.instruction === instruction).map((s) => s.argument);

describe('the buildah image and the Dockerfile', () => {
  let image: string;
  let config: ImageConfig;
  let rootfs: string;
  let remove: () => void = () => {};
  before(() => {
    image = buildImage();
    config = imageConfig(image);
    ({ rootfs, remove } = mountedContainer(image));
  });
  after(() => remove());

  it('is tagged with the package version', () => {
    assert.equal(image, `localhost/scanschedule:${packageVersion}`);
    assert.equal(config.Labels?.['org.opencontainers.image.version'], packageVersion);
  });

  it('has the Dockerfile’s entrypoint', () => {
    assert.deepEqual(config.Entrypoint, JSON.parse(dockerfile('ENTRYPOINT').at(-1) ?? '[]'));
  });

  it('runs as the Dockerfile’s numeric non-root user', () => {
    assert.equal(config.User, dockerfile('USER').at(-1));
    assert.match(config.User ?? '', /^[1-9]\d*:[1-9]\d*$/);
  });

  it('has the Dockerfile’s working directory, environment and ports', () => {
    assert.equal(config.WorkingDir, dockerfile('WORKDIR').at(-1));
    for (const env of dockerfile('ENV')) assert.ok(config.Env?.includes(env), `${env} in ${config.Env?.join(' ')}`);
    const ports = dockerfile('EXPOSE').flatMap((a) => a.split(/\s+/));
    assert.deepEqual(
      Object.keys(config.ExposedPorts ?? {})
        .map((p) => p.replace('/tcp', ''))
        .sort(),
      ports.sort(),
    );
  });

  it('holds what the Dockerfile copies into the working directory, and node_modules', () => {
    const workdir = config.WorkingDir ?? '/';
    const copied = dockerfile('COPY').map((argument) => argument.split(/\s+/).filter((w) => !w.startsWith('--')));
    const targets = copied.flatMap((words) => {
      const destination = words.at(-1) ?? '';
      const sources = words.slice(0, -1);
      return destination.endsWith('/') || destination === '.' || destination === './'
        ? sources.map((source) => source.split('/').at(-1) ?? source)
        : [destination.replace(/^\.\//, '')];
    });
    for (const target of [...targets, 'node_modules']) {
      assert.ok(existsSync(join(rootfs, workdir, target)), `${workdir}/${target} is missing from the image`);
    }
  });

  it('has no shell and no package manager', () => {
    for (const path of ['bin/sh', 'bin/bash', 'usr/bin/sh', 'usr/bin/apt-get', 'usr/local/bin/npm']) {
      assert.equal(existsSync(join(rootfs, path)), false, `/${path} is in the image`);
    }
  });
});
