// scanschedule completion bash|zsh|fish: a completion script built from the registered commands and flags, so
// it never falls behind them. zsh reuses the bash function through bashcompinit, as kubectl's early one did.
import type { Command } from 'commander';
import { UsageError } from './usage-error.ts';
import type { CommandOutput } from './validate.ts';

interface CommandWords {
  name: string;
  description: string;
  flags: string[];
}

export function commandWords(program: Command): CommandWords[] {
  return program.commands.map((command) => ({
    name: command.name(),
    description: command.description().split(/[.:]/)[0] ?? '',
    flags: command.options.filter((o) => !o.hidden).flatMap((o) => [o.short, o.long].filter((f) => f !== undefined)),
  }));
}

/** Only characters that need no quoting in any of the three shells' words. */
const safe = (word: string): string => word.replace(/[^A-Za-z0-9_.,/=+-]/g, '');

function bash(words: CommandWords[], bin: string): string {
  const cases = words.map((w) => `    ${safe(w.name)}) flags="${w.flags.map(safe).join(' ')}" ;;`).join('\n');
  const fn = `_${bin.replace(/\W/g, '_')}`;
  return `# bash completion for ${bin}: source <(${bin} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" flags=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${words.map((w) => safe(w.name)).join(' ')} --help --version" -- "$cur") )
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags --help" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o filenames -F ${fn} ${bin}
`;
}

function fish(words: CommandWords[], bin: string): string {
  const lines = [`# fish completion for ${bin}: ${bin} completion fish | source`, `complete -c ${bin} -f`];
  for (const w of words) {
    lines.push(
      `complete -c ${bin} -n __fish_use_subcommand -a ${safe(w.name)} -d '${safe(w.description.replace(/ /g, '_')).replace(/_/g, ' ')}'`,
    );
    for (const flag of w.flags) {
      const option = flag.startsWith('--') ? `-l ${safe(flag.slice(2))}` : `-s ${safe(flag.slice(1))}`;
      lines.push(`complete -c ${bin} -n '__fish_seen_subcommand_from ${safe(w.name)}' ${option} -F`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function runCompletion(shell: string, program: Command): CommandOutput {
  const words = commandWords(program);
  const bin = 'scanschedule';
  switch (shell) {
    case 'bash':
      return { stdout: bash(words, bin), stderr: '', exitCode: 0 };
    case 'zsh':
      return {
        stdout: `# zsh completion for ${bin}: source <(${bin} completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${bash(words, bin)}`,
        stderr: '',
        exitCode: 0,
      };
    case 'fish':
      return { stdout: fish(words, bin), stderr: '', exitCode: 0 };
    default:
      throw new UsageError(`completion ${shell}: give bash, zsh or fish`);
  }
}
