// `scanschedule completion bash|zsh|fish` prints a script the shell accepts, naming every command.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { runCli } from './cli-process.ts';

const COMMANDS = [
  'validate',
  'next',
  'report',
  'get',
  'describe',
  'runs',
  'trigger',
  'suspend',
  'resume',
  'delete',
  'logs',
  'controller',
];

describe('completion', () => {
  it('bash: parsed by bash -n, completes commands and a command’s flags', () => {
    const out = runCli(['completion', 'bash']);
    assert.equal(out.status, 0, out.stderr);
    const syntax = spawnSync('bash', ['-n'], { input: out.stdout, encoding: 'utf8' });
    assert.equal(syntax.status, 0, syntax.stderr);
    for (const command of COMMANDS) assert.match(out.stdout, new RegExp(`\\b${command}\\b`));
    // Sourced, the function answers as bash would ask it.
    const complete = spawnSync(
      'bash',
      [
        '-c',
        `${out.stdout}\nCOMP_WORDS=(scanschedule get --kube); COMP_CWORD=2; _scanschedule; echo "\${COMPREPLY[*]}"`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(complete.stdout.trim(), '--kubeconfig', complete.stderr);
  });
  it('zsh: the bash function through bashcompinit, parsed by bash -n', () => {
    const out = runCli(['completion', 'zsh']);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /bashcompinit/);
    const syntax = spawnSync('bash', ['-n'], { input: out.stdout, encoding: 'utf8' });
    assert.equal(syntax.status, 0, syntax.stderr);
  });
  it('fish: one complete line per command and flag', () => {
    const out = runCli(['completion', 'fish']);
    assert.equal(out.status, 0, out.stderr);
    for (const command of COMMANDS) assert.match(out.stdout, new RegExp(`-a ${command} `));
    assert.match(out.stdout, /__fish_seen_subcommand_from get' -l kubeconfig/);
    for (const line of out.stdout.trim().split('\n')) assert.match(line, /^(#|complete -c scanschedule )/);
  });
  it('another shell is a usage error, exit 2', () => {
    const out = runCli(['completion', 'powershell']);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /give bash, zsh or fish/);
  });
});
