import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { JobTemplate } from '../api/types.ts';
import { JMO_IMAGES_FILE, jmoScanCommand } from './jmo-command.ts';

// The flags of `jmo scan` in scripts/cli/jmo.py (jmo-security-repo 82c8cd1). A flag outside this list would
// make argparse exit 2 and every run end as ScanFailed.
const SCAN_FLAGS = new Set([
  '--repo',
  '--repos-dir',
  '--targets',
  '--image',
  '--images-file',
  '--url',
  '--urls-file',
  '--k8s-context',
  '--k8s-namespace',
  '--results-dir',
  '--threads',
  '--timeout',
  '--allow-missing-tools',
  '--human-logs',
  '--profile-name',
]);
const SINGLE_VALUED = ['--repo', '--repos-dir', '--targets', '--image', '--url', '--images-file', '--urls-file'];
const EXCLUSIVE = ['--repo', '--repos-dir', '--targets'];

function jmoArgs(command: string[]): string[] {
  const at = command.indexOf('jmo');
  assert.ok(at >= 0, `no jmo in ${command.join(' ')}`);
  return command.slice(at);
}

describe('jmoScanCommand', () => {
  const cases: { name: string; template: JobTemplate; expected: string[] }[] = [
    {
      name: 'a repos_dir with the default profile and results dir',
      template: { targets: { repos_dir: '/repos' } },
      expected: ['jmo', 'scan', '--profile-name', 'balanced', '--repos-dir', '/repos', '--results-dir', '/results'],
    },
    {
      name: 'every option, and fail_on left to the report step',
      template: {
        profile: 'deep',
        targets: {
          repo: '/src',
          images: ['nginx:1.27'],
          urls: ['https://app.example'],
          k8s_context: 'prod',
          k8s_namespace: 'web',
        },
        results: { dir: '/out' },
        options: { fail_on: 'HIGH', threads: 8, timeout: 900, allow_missing_tools: true, human_logs: true },
      },
      expected: [
        'jmo',
        'scan',
        '--profile-name',
        'deep',
        '--repo',
        '/src',
        '--image',
        'nginx:1.27',
        '--url',
        'https://app.example',
        '--k8s-context',
        'prod',
        '--k8s-namespace',
        'web',
        '--results-dir',
        '/out',
        '--threads',
        '8',
        '--timeout',
        '900',
        '--allow-missing-tools',
        '--human-logs',
      ],
    },
  ];
  for (const c of cases) it(`builds ${c.name}`, () => assert.deepEqual(jmoScanCommand(c.template), c.expected));

  const templates: JobTemplate[] = [
    { targets: { repos_dir: '/repos' }, options: { fail_on: 'CRITICAL' } },
    { targets: { repo: '/a', repos_dir: '/b', images: ['x', 'y'], urls: ['u1', 'u2'] }, options: { fail_on: 'LOW' } },
    { profile: 'fast', targets: { images: ['a', 'b', 'c'] } },
  ];
  for (const template of templates) {
    it(`uses only flags jmo scan has, once each, no two exclusive ones: ${JSON.stringify(template.targets)}`, () => {
      const args = jmoArgs(jmoScanCommand(template));
      const flags = args.filter((arg) => arg.startsWith('--'));
      for (const flag of flags) assert.ok(SCAN_FLAGS.has(flag), `jmo scan has no ${flag}`);
      for (const flag of SINGLE_VALUED) assert.ok(flags.filter((f) => f === flag).length <= 1, `${flag} repeated`);
      assert.ok(flags.filter((f) => EXCLUSIVE.includes(f)).length <= 1, `exclusive flags together: ${flags}`);
      assert.ok(!flags.includes('--fail-on'));
    });
  }

  it('writes several images to a file through positional parameters, not the script text', () => {
    const evil = '$(touch /tmp/pwned)';
    const command = jmoScanCommand({ targets: { images: ['nginx:1', evil] } });
    assert.equal(command[0], 'sh');
    assert.ok(!(command[2] as string).includes(evil));
    assert.ok(command.includes('--images-file'));
    assert.ok(command.includes(JMO_IMAGES_FILE));
  });

  it('runs under sh: the lists land in files and jmo gets the flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-command-'));
    mkdirSync(join(dir, 'repos', 'one'), { recursive: true });
    mkdirSync(join(dir, 'repos', 'two'), { recursive: true });
    writeFileSync(join(dir, 'repos', 'not-a-dir'), '');
    const command = jmoScanCommand({
      targets: { repo: '/src', repos_dir: join(dir, 'repos'), images: ['a:1', 'b c:2'] },
    }).map((arg) => arg.replaceAll('/tmp/jmo-', `${dir}/jmo-`));
    // Stand-in for jmo: print the arguments it was given.
    const script = (command[2] as string).replace('exec "$@"', 'shift 2; printf "%s\\n" "$@"');
    const run = spawnSync(command[0] as string, [command[1] as string, script, ...command.slice(3)], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(readFileSync(join(dir, 'jmo-images.txt'), 'utf8'), 'a:1\nb c:2\n');
    assert.deepEqual(readFileSync(join(dir, 'jmo-targets.txt'), 'utf8').split('\n'), [
      '/src',
      join(dir, 'repos', 'one'),
      join(dir, 'repos', 'two'),
      '',
    ]);
    assert.match(run.stdout, /--targets\n.*jmo-targets\.txt\n/);
  });
});

describe('jmoScanCommand under sh with an empty repos_dir', () => {
  it('still runs jmo (set -e does not trip over the empty glob)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-command-'));
    mkdirSync(join(dir, 'repos'));
    const command = jmoScanCommand({ targets: { repo: '/src', repos_dir: join(dir, 'repos') } }).map((arg) =>
      arg.replaceAll('/tmp/jmo-', `${dir}/jmo-`),
    );
    const script = (command[2] as string).replace('exec "$@"', 'printf "%s\\n" "$@"');
    const run = spawnSync('sh', ['-c', script, ...command.slice(3)], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(readFileSync(join(dir, 'jmo-targets.txt'), 'utf8'), '/src\n');
    assert.match(run.stdout, /^jmo\nscan\n/);
  });
});
