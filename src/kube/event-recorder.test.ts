import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventsV1Event } from '@kubernetes/client-node';
import { ManualClock } from '../testing/manual-clock.ts';
import { EventRecorder, type EventSink, type EventSubject, MAX_NOTE_BYTES, truncateUtf8 } from './event-recorder.ts';
import { microTime } from './micro-time.ts';

interface Write {
  op: 'create' | 'patch';
  namespace: string;
  name: string;
  count?: number;
  event?: EventsV1Event;
}

/** Records writes; each write waits until the test releases it when `manual` is set. */
class RecordingSink implements EventSink {
  readonly writes: Write[] = [];
  createError: Error | undefined;
  patchResult: 'patched' | 'gone' = 'patched';
  /** The next patches fail with this, once each, while it is set. */
  patchErrors: Error[] = [];
  manual = false;
  readonly #held: (() => void)[] = [];

  async #gate(): Promise<void> {
    if (this.manual) await new Promise<void>((resolve) => this.#held.push(resolve));
  }

  release(): void {
    for (const resolve of this.#held.splice(0)) resolve();
  }

  async create(namespace: string, event: EventsV1Event): Promise<void> {
    await this.#gate();
    if (this.createError) throw this.createError;
    this.writes.push({ op: 'create', namespace, name: event.metadata?.name ?? '', event });
  }

  async patchSeries(namespace: string, name: string, series: { count: number }): Promise<'patched' | 'gone'> {
    await this.#gate();
    const error = this.patchErrors.shift();
    if (error !== undefined) throw error;
    this.writes.push({ op: 'patch', namespace, name, count: series.count });
    return this.patchResult;
  }
}

const schedule: EventSubject = {
  apiVersion: 'jmo.security/v1alpha1',
  kind: 'ScanSchedule',
  metadata: { name: 'nightly', namespace: 'security', uid: 'uid-1', resourceVersion: '42' },
};
const alreadyActive = {
  type: 'Normal' as const,
  reason: 'RunAlreadyActive',
  action: 'WaitForActiveRun',
  message: 'run nightly-1 is still active; concurrencyPolicy is Forbid',
};

function setup(): { sink: RecordingSink; clock: ManualClock; recorder: EventRecorder } {
  const sink = new RecordingSink();
  const clock = new ManualClock('2026-05-19T10:00:00.123Z');
  const recorder = new EventRecorder({ sink, reportingInstance: 'scanschedule-7d9f-abcde', clock: clock.clock });
  return { sink, clock, recorder };
}

describe('microTime', () => {
  it('writes six fractional digits, as metav1.MicroTime requires', () => {
    assert.equal(microTime(new Date('2026-05-19T10:00:00.123Z')), '2026-05-19T10:00:00.123000Z');
  });
});

describe('truncateUtf8', () => {
  const cases: { name: string; text: string; max: number; expected: string }[] = [
    { name: 'keeps a short text', text: 'ok', max: 10, expected: 'ok' },
    { name: 'cuts a long text and marks the cut', text: 'abcdefghij', max: 8, expected: 'abcde…' },
    { name: 'never splits a multi-byte character', text: 'ééééé', max: 7, expected: 'éé…' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = truncateUtf8(c.text, c.max);
      assert.equal(out, c.expected);
      assert.ok(Buffer.byteLength(out) <= c.max);
    });
  }
});

describe('EventRecorder', () => {
  it('creates an events.k8s.io/v1 Event about the object, from this controller and replica', async () => {
    const { sink, recorder } = setup();
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    const [write] = sink.writes;
    assert.equal(write?.op, 'create');
    assert.equal(write?.namespace, 'security');
    const event = write?.event;
    assert.ok(event !== undefined);
    assert.match(event.metadata?.name ?? '', /^nightly\.[0-9a-f]+$/);
    assert.equal(event.metadata?.namespace, 'security');
    assert.equal(event.reportingController, 'scanschedule');
    assert.equal(event.reportingInstance, 'scanschedule-7d9f-abcde');
    assert.equal(event.type, 'Normal');
    assert.equal(event.reason, 'RunAlreadyActive');
    assert.equal(event.action, 'WaitForActiveRun');
    assert.equal(event.note, alreadyActive.message);
    assert.deepEqual(event.regarding, {
      apiVersion: 'jmo.security/v1alpha1',
      kind: 'ScanSchedule',
      name: 'nightly',
      namespace: 'security',
      uid: 'uid-1',
      resourceVersion: '42',
    });
    assert.equal(
      JSON.parse(JSON.stringify(event)).eventTime,
      '2026-05-19T10:00:00.123000Z',
      'microsecond time on the wire',
    );
  });

  it('truncates a note over 1 KiB', async () => {
    const { sink, recorder } = setup();
    recorder.record(schedule, { ...alreadyActive, message: 'x'.repeat(5000) });
    await recorder.flush();
    assert.ok(Buffer.byteLength(sink.writes[0]?.event?.note ?? '') <= MAX_NOTE_BYTES);
  });

  it('counts a repeat within the window in the first Event’s series instead of creating another', async () => {
    const { sink, clock, recorder } = setup();
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    await clock.advance(60_000);
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    const name = sink.writes[0]?.name ?? '';
    assert.deepEqual(
      sink.writes.map((w) => [w.op, w.name, w.count]),
      [
        ['create', name, undefined],
        ['patch', name, 2],
        ['patch', name, 3],
      ],
    );
  });

  it('writes repeats that arrive during a write as one follow-up patch', async () => {
    const { sink, recorder } = setup();
    sink.manual = true;
    recorder.record(schedule, alreadyActive);
    for (let i = 0; i < 5; i++) recorder.record(schedule, alreadyActive);
    sink.release();
    await new Promise((resolve) => setImmediate(resolve));
    sink.release();
    await recorder.flush();
    assert.deepEqual(
      sink.writes.map((w) => [w.op, w.count]),
      [
        ['create', undefined],
        ['patch', 6],
      ],
    );
  });

  const distinct: { name: string; second: [EventSubject, typeof alreadyActive] }[] = [
    { name: 'another reason', second: [schedule, { ...alreadyActive, reason: 'MissedSchedule' }] },
    { name: 'another message', second: [schedule, { ...alreadyActive, message: 'run nightly-2 is still active' }] },
    {
      name: 'another object',
      second: [{ ...schedule, metadata: { ...schedule.metadata, name: 'weekly', uid: 'uid-2' } }, alreadyActive],
    },
  ];
  for (const c of distinct) {
    it(`creates a separate Event for ${c.name}`, async () => {
      const { sink, recorder } = setup();
      recorder.record(schedule, alreadyActive);
      recorder.record(...c.second);
      await recorder.flush();
      assert.deepEqual(
        sink.writes.map((w) => w.op),
        ['create', 'create'],
      );
    });
  }

  it('creates a new Event once the window has passed', async () => {
    const { sink, clock, recorder } = setup();
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    await clock.advance(6 * 60_000);
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    assert.deepEqual(
      sink.writes.map((w) => w.op),
      ['create', 'create'],
    );
    assert.notEqual(sink.writes[0]?.name, sink.writes[1]?.name);
  });

  it('measures the window from each event’s last repeat, not from when it was first seen', async () => {
    const { sink, clock, recorder } = setup();
    const weekly: EventSubject = { ...schedule, metadata: { ...schedule.metadata, name: 'weekly', uid: 'uid-2' } };
    recorder.record(schedule, alreadyActive); // nightly at 0 min
    await clock.advance(60_000);
    recorder.record(weekly, alreadyActive); // weekly at 1 min
    await clock.advance(60_000);
    recorder.record(schedule, alreadyActive); // nightly repeats at 2 min
    await recorder.flush();
    await clock.advance(5 * 60_000); // 7 min: weekly's window is over, nightly's is not
    recorder.record(weekly, alreadyActive);
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    const byName = sink.writes.map((w) => [w.op, w.name.split('.')[0], w.count]);
    assert.deepEqual(byName, [
      ['create', 'nightly', undefined],
      ['create', 'weekly', undefined],
      ['patch', 'nightly', 2],
      ['create', 'weekly', undefined],
      ['patch', 'nightly', 3],
    ]);
  });

  it('creates a new Event when the one it would patch has expired', async () => {
    const { sink, recorder } = setup();
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    sink.patchResult = 'gone';
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    assert.deepEqual(
      sink.writes.map((w) => w.op),
      ['create', 'patch', 'create'],
    );
  });

  it('never throws and only logs when the API server refuses, and tries again next time', async () => {
    const { sink, recorder } = setup();
    sink.createError = new Error('events.events.k8s.io is forbidden');
    assert.doesNotThrow(() => recorder.record(schedule, alreadyActive));
    await recorder.flush();
    sink.createError = undefined;
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    assert.deepEqual(
      sink.writes.map((w) => w.op),
      ['create'],
    );
  });

  it('gives Events written in the same millisecond different names', async () => {
    const { sink, recorder } = setup();
    recorder.record(schedule, alreadyActive);
    recorder.record(schedule, { ...alreadyActive, reason: 'Other' });
    await recorder.flush();
    assert.notEqual(sink.writes[0]?.name, sink.writes[1]?.name);
  });

  it('on close writes the counts still unwritten, waits for writes in flight and takes no more events', async () => {
    const { sink, recorder } = setup();
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    sink.patchErrors = [new Error('503 Service Unavailable')];
    recorder.record(schedule, alreadyActive);
    await recorder.flush();
    recorder.record(schedule, { ...alreadyActive, reason: 'RunReplaced', action: 'CancelRun', message: 'run 2' });
    sink.manual = true;
    const closed = recorder.close();
    let done = false;
    void closed.then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(done, false, 'waits for the writes in flight');
    sink.release();
    await new Promise((resolve) => setImmediate(resolve));
    sink.release();
    await closed;
    recorder.record(schedule, { ...alreadyActive, message: 'after close' });
    await recorder.flush();
    assert.deepEqual(
      sink.writes.map((w) => [w.op, w.op === 'patch' ? w.count : w.event?.reason]),
      [
        ['create', 'RunAlreadyActive'],
        ['create', 'RunReplaced'],
        ['patch', 2],
      ],
    );
  });
});
