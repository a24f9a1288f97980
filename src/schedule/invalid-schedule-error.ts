import type { Problem } from '../api/problem.ts';

/** The timing fields of a spec cannot be scheduled; retrying will not help until the user edits them. */
export class InvalidScheduleError extends Error {
  override readonly name = 'InvalidScheduleError';
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super(problems.map((problem) => `${problem.path}: ${problem.message}. ${problem.fix}`.trim()).join('\n'));
    this.problems = problems;
  }
}
