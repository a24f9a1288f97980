// Scanner result files → one summary, and the termination message that carries it: shared by the report
// command, the cluster controller and the local runner.
export { CUSTOM_SUMMARY_FILE } from './custom-summary.ts';
export { renderSummaryText } from './render-summary.ts';
export { JMO_SARIF_DRIVER, sarifSeverity, severityFromScore } from './sarif.ts';
export { MAX_TOP_FINDINGS, type ResultFile, type ScanSummary } from './scan-summary.ts';
export { countAtOrAbove, parseSeverity, type Verdict, verdictOf } from './severity.ts';
export { isResultFilePath, type SummarizeOptions, type SummaryResult, summarizeResults } from './summarize-results.ts';
export {
  type DecodedTerminationMessage,
  decodeTerminationMessage,
  encodeTerminationMessage,
  findingsFromTerminationMessage,
  MAX_TERMINATION_MESSAGE_BYTES,
} from './termination-message.ts';
