import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScanRun } from '../api/types.ts';
import { aRun } from '../testing/builders.ts';
import { startedJobsRecord } from './started-jobs.ts';

const fresh = (name: string): ScanRun => aRun({ name });
const withJobName = (name: string): ScanRun => ({ ...aRun({ name, phase: 'Pending' }), status: { jobName: name } });

const cases: {
  name: string;
  previous?: string[];
  runs: ScanRun[];
  startedNow?: string[];
  expected: string[] | undefined;
}[] = [
  { name: 'nothing started, nothing recorded: no field', runs: [fresh('a')], expected: undefined },
  { name: 'a Job created now is recorded', runs: [], startedNow: ['b'], expected: ['b'] },
  {
    name: 'a recorded run whose status says nothing yet stays recorded',
    previous: ['a'],
    runs: [fresh('a')],
    expected: ['a'],
  },
  {
    name: 'a run that records its Job itself stays recorded until it finishes (no write of its own)',
    previous: ['a', 'b'],
    runs: [withJobName('a'), aRun({ name: 'b', phase: 'Running' })],
    expected: ['a', 'b'],
  },
  {
    name: 'a finished run leaves the record',
    previous: ['a'],
    runs: [aRun({ name: 'a', phase: 'Failed' })],
    expected: undefined,
  },
  { name: 'a deleted run leaves the record', previous: ['gone'], runs: [fresh('a')], expected: undefined },
  {
    name: 'a run being deleted leaves the record',
    previous: ['a'],
    runs: [aRun({ name: 'a', deleting: true })],
    expected: undefined,
  },
  {
    name: 'a run never recorded is not added because it exists (its Job may never have been created)',
    previous: ['a'],
    runs: [fresh('a'), fresh('b')],
    expected: ['a'],
  },
  {
    name: 'names are sorted, so an unchanged record is an unchanged status',
    previous: ['c', 'a'],
    runs: [fresh('c'), fresh('a')],
    startedNow: ['b'],
    expected: ['a', 'b', 'c'],
  },
];

describe('startedJobsRecord', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(startedJobsRecord(c.previous, c.runs, c.startedNow ?? []), c.expected);
    });
  }
});
