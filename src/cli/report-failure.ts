// How a failed command ends: one line in the user's terms and the exit code of its kind, never a stack trace
// (unless SCANSCHEDULE_DEBUG is set, for a bug report).
import { CommanderError } from 'commander';
import { ClusterError, EXIT, NotFoundError } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';

export interface FailureReport {
  stderr: string;
  exitCode: number;
}

export function reportFailure(error: unknown, debug: boolean): FailureReport {
  // Commander has already printed its message (and the help, on a usage mistake).
  if (error instanceof CommanderError) return { stderr: '', exitCode: error.exitCode === 0 ? EXIT.ok : EXIT.usage };
  if (error instanceof UsageError) return { stderr: `error: ${error.message}\n`, exitCode: EXIT.usage };
  if (error instanceof NotFoundError) return { stderr: `error: ${error.message}\n`, exitCode: EXIT.failed };
  if (error instanceof ClusterError) return { stderr: `${error.message}\n`, exitCode: EXIT.cluster };
  const message = error instanceof Error ? error.message : String(error);
  const detail =
    debug && error instanceof Error && error.stack !== undefined
      ? `${error.stack}\n`
      : 'This is a bug in scanschedule: please report it with the output of the same command run with SCANSCHEDULE_DEBUG=1.\n';
  return { stderr: `error: ${message}\n${detail}`, exitCode: EXIT.failed };
}
