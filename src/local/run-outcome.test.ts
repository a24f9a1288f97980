import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aRun, instants } from '../testing/builders.ts';
import { localRunStatus, type ResultsReading, type ScanEnd } from './run-outcome.ts';

const now = instants.topOfTheHour;
const running = aRun({ phase: 'Running', startTime: instants.justBeforeTheHour }); // fail_on HIGH
const jmo = (severities: string[]): ResultsReading => ({
  files: [
    {
      path: 'summaries/findings.json',
      text: JSON.stringify(
        severities.map((severity, i) => ({
          schemaVersion: '1.2.0',
          id: `f${i}`,
          ruleId: `R${i}`,
          severity,
          tool: { name: 'trivy', version: '1' },
          location: { path: 'a.ts' },
          message: `finding ${i}`,
        })),
      ),
    },
  ],
  problems: [],
});
const exited = (code: number | null, signal: string | null = null): ScanEnd => ({ kind: 'exited', code, signal });

describe('localRunStatus: the verdict of a local scan, with the cluster reasons', () => {
  const cases: {
    name: string;
    end: ScanEnd;
    results?: ResultsReading;
    phase: string;
    reason: string;
    message: RegExp;
    findings?: number;
  }[] = [
    {
      name: 'exit 0, findings below fail_on: Completed',
      end: exited(0),
      results: jmo(['MEDIUM']),
      phase: 'Succeeded',
      reason: 'Completed',
      message: /scan completed: 1 findings/,
      findings: 1,
    },
    {
      name: 'exit 0, a finding at fail_on: FindingsAboveThreshold',
      end: exited(0),
      results: jmo(['HIGH', 'LOW']),
      phase: 'Failed',
      reason: 'FindingsAboveThreshold',
      message: /1 findings at or above HIGH/,
      findings: 2,
    },
    {
      name: 'exit 0, no results directory: NoResults',
      end: exited(0),
      phase: 'Failed',
      reason: 'NoResults',
      message: /no results directory/,
    },
    {
      name: 'exit 0, no result files: NoResults',
      end: exited(0),
      results: { files: [], problems: [] },
      phase: 'Failed',
      reason: 'NoResults',
      message: /no result files/,
    },
    {
      name: 'exit 0, a corrupt result file: NoResults',
      end: exited(0),
      results: { files: [{ path: 'x.sarif', text: '{' }], problems: [] },
      phase: 'Failed',
      reason: 'NoResults',
      message: /not valid JSON/,
    },
    {
      name: 'a non-zero exit: ScanFailed, findings unknown even if files exist',
      end: exited(3),
      results: jmo(['HIGH']),
      phase: 'Failed',
      reason: 'ScanFailed',
      message: /exited with code 3/,
    },
    {
      name: 'killed by a signal: ScanFailed',
      end: exited(null, 'SIGKILL'),
      phase: 'Failed',
      reason: 'ScanFailed',
      message: /killed by SIGKILL/,
    },
    {
      name: 'past the deadline: DeadlineExceeded',
      end: { kind: 'deadline', seconds: 5 },
      phase: 'Failed',
      reason: 'DeadlineExceeded',
      message: /activeDeadlineSeconds \(5 s\)/,
    },
    {
      name: 'stopped by the scheduler: Interrupted, output kept',
      end: { kind: 'interrupted', why: 'the scheduler stopped' },
      phase: 'Failed',
      reason: 'Interrupted',
      message: /partial output is kept/,
    },
    {
      name: 'the program cannot start: ScanFailed',
      end: { kind: 'not-started', problem: 'jmo: ENOENT' },
      phase: 'Failed',
      reason: 'ScanFailed',
      message: /could not start: jmo: ENOENT/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const status = localRunStatus(running, c.end, c.results, '/state/runs/x/results', now);
      assert.equal(status.phase, c.phase);
      assert.equal(status.reason, c.reason);
      assert.match(status.message ?? '', c.message);
      assert.equal(status.findings?.total, c.findings);
      assert.equal(status.completionTime, '2016-05-19T10:00:00Z');
      assert.equal(status.startTime, running.status?.startTime, 'the start time is kept');
    });
  }
});
