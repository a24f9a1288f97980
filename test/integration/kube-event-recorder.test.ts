// EventRecorder against a real API server: events.k8s.io/v1 validation (eventTime MicroTime, reportingController,
// reportingInstance, action), series patches, and failures that are logged, never thrown.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, EventsV1Api, type EventsV1Event, KubeConfig } from '@kubernetes/client-node';
import { GROUP, SCAN_SCHEDULE_PLURAL, type ScanSchedule, VERSION } from '../../src/api/types.ts';
import { EventRecorder, KubeEventSink } from '../../src/kube/event-recorder.ts';
import type { Logger } from '../../src/observe/logger.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { aScanSchedule } from './manifests.ts';

const NAMESPACE = 'events';

/** Keeps warn lines, to see that a failed write was reported. */
function recordingLogger(lines: string[]): Logger {
  const logger: Logger = {
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (_fields, message) => lines.push(message),
    error: (_fields, message) => lines.push(message),
    child: () => logger,
  };
  return logger;
}

describe('EventRecorder on a real API server', () => {
  let controlPlane: ControlPlane;
  let events: EventsV1Api;
  let schedule: ScanSchedule;
  const warnings: string[] = [];
  let recorder: EventRecorder;

  const eventsAbout = async (name: string): Promise<EventsV1Event[]> =>
    (await events.listNamespacedEvent({ namespace: NAMESPACE })).items.filter((e) => e.regarding?.name === name);

  before(async () => {
    controlPlane = await startControlPlane();
    const config = new KubeConfig();
    config.loadFromFile(controlPlane.kubeconfigPath);
    events = config.makeApiClient(EventsV1Api);
    await config.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    schedule = (await config.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: SCAN_SCHEDULE_PLURAL,
      namespace: NAMESPACE,
      body: aScanSchedule('nightly'),
    })) as ScanSchedule;
    recorder = new EventRecorder({
      sink: new KubeEventSink(events),
      reportingInstance: 'scanschedule-controller-5d8f7-x2x9q',
      log: recordingLogger(warnings),
    });
  });
  after(() => controlPlane?.stop());

  it('writes an Event the API server accepts, about the schedule, from this controller', async () => {
    recorder.record(schedule, {
      type: 'Warning',
      reason: 'MissedSchedule',
      action: 'SkipRun',
      message: 'missed the run at 2026-05-19T02:00:00Z: it was more than startingDeadlineSeconds (300) late',
    });
    await recorder.flush();
    assert.deepEqual(warnings, []);
    const [event] = await eventsAbout('nightly');
    assert.ok(event !== undefined);
    assert.equal(event.reportingController, 'scanschedule');
    assert.equal(event.reportingInstance, 'scanschedule-controller-5d8f7-x2x9q');
    assert.equal(event.type, 'Warning');
    assert.equal(event.reason, 'MissedSchedule');
    assert.equal(event.action, 'SkipRun');
    assert.equal(event.regarding?.kind, 'ScanSchedule');
    assert.equal(event.regarding?.uid, schedule.metadata.uid);
    assert.match(String(event.eventTime), /\.\d{6}Z$/);
  });

  it('counts repeats in the series of one Event', async () => {
    const repeat = {
      type: 'Normal' as const,
      reason: 'RunAlreadyActive',
      action: 'WaitForActiveRun',
      message: 'run nightly-29650920 is still active; concurrencyPolicy is Forbid',
    };
    for (let i = 0; i < 3; i++) {
      recorder.record(schedule, repeat);
      await recorder.flush();
    }
    const matching = (await eventsAbout('nightly')).filter((e) => e.reason === 'RunAlreadyActive');
    assert.equal(matching.length, 1);
    assert.equal(matching[0]?.series?.count, 3);
    assert.match(String(matching[0]?.series?.lastObservedTime), /\.\d{6}Z$/);
  });

  it('logs and swallows a write the API server refuses', async () => {
    const ghost: ScanSchedule = { ...schedule, metadata: { ...schedule.metadata, namespace: 'no-such-namespace' } };
    assert.doesNotThrow(() =>
      recorder.record(ghost, {
        type: 'Normal',
        reason: 'ManualRunCreated',
        action: 'CreateRun',
        message: 'created run x',
      }),
    );
    await recorder.flush();
    assert.deepEqual(warnings, ['recording event failed']);
  });
});
