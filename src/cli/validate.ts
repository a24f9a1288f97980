// scanschedule validate PATH...: offline checks with the API server's and the controller's rules.
import { type CheckResult, checkManifests, type Finding } from '../core/check-manifests.ts';
import { readInputs } from './input-files.ts';

export interface ValidateOptions {
  strict: boolean;
  output: 'text' | 'json';
  namespace: string;
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export function runValidate(paths: readonly string[], options: ValidateOptions, stdin: () => string): CommandOutput {
  const sources = readInputs(paths, stdin);
  const result = checkManifests(sources, { strict: options.strict, defaultNamespace: options.namespace });
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const exitCode = errors > 0 ? 1 : 0;
  if (options.output === 'json') {
    const body = {
      valid: errors === 0,
      files: sources.length,
      checked: result.checked,
      skipped: result.skipped,
      findings: result.findings,
    };
    return { stdout: `${JSON.stringify(body, null, 2)}\n`, stderr: '', exitCode };
  }
  return { stdout: renderText(result, sources.length), stderr: '', exitCode };
}

/** `file:line:col  path  message  (fix)`, one line a finding, the shape editors and CI logs link. */
export function formatFinding(f: Finding): string {
  const where = `${f.file}:${f.line}:${f.column}`;
  const label = f.severity === 'error' ? '' : `${f.severity}: `;
  const path = f.path === '' ? '' : `  ${f.path}`;
  const fix = f.fix === '' ? '' : `  (${f.fix})`;
  return `${where}${path}  ${label}${f.message}${fix}`;
}

function renderText(result: CheckResult, files: number): string {
  const lines = result.findings.map(formatFinding);
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const objects = `${result.checked} object${result.checked === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
  const warnings = result.findings.filter((f) => f.severity === 'warning').length;
  const warned = warnings === 0 ? '' : `, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  lines.push(
    errors === 0 ? `ok: ${objects} valid${warned}` : `${errors} error${errors === 1 ? '' : 's'} in ${objects}${warned}`,
  );
  return `${lines.join('\n')}\n`;
}
