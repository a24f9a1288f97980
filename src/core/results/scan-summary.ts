// The one summary every result file is reduced to: what `scanschedule report` prints, what the report step's
// termination message carries, and what the controller turns into ScanRun.status.
import type { Findings, TopFinding } from '../../api/types.ts';
import type { Verdict } from './severity.ts';

export const SUMMARY_VERSION = 1;
/** status.topFindings holds at most this many; the termination message may hold fewer (4 KiB). */
export const MAX_TOP_FINDINGS = 10;

export interface ScanSummary {
  version: 1;
  findings: Findings;
  /** Scanners whose results were read, sorted. */
  tools: string[];
  /** Most severe first, ties by tool then id; at most MAX_TOP_FINDINGS. */
  topFindings: TopFinding[];
  /** Files read, relative to the results directory (empty when decoded from a termination message). */
  sources: string[];
  verdict?: Verdict;
  /** Top findings left out of the termination message to fit 4 KiB (absent when none were). */
  topFindingsDropped?: number;
}

/** One file's content, as the shell read it: the core never touches the file system. */
export interface ResultFile {
  /** Relative to the results directory, with `/` separators. */
  path: string;
  text: string;
}
