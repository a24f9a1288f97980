// Real scans end to end on the real control plane: the report step's summary becomes the run's findings and
// verdict, and the controller tells people. The stand-in kubelet runs the report step for real (our CLI over a
// results directory, as the `report` container would), and a real HTTP receiver on 127.0.0.1 plays Slack and
// a webhook endpoint. Secrets' URLs must never show up in logs, Events, status or Job specs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ANNOTATION_RUN_NOW, type NotificationChannel, type ScanRun, type ScanSchedule } from '../../src/api/types.ts';
import type { RunningController } from '../../src/kube/controller.ts';
import type { ControlPlane } from '../controlplane/control-plane.ts';
import {
  aSchedule,
  type ClusterClients,
  consistently,
  createNamespace,
  createSchedule,
  eventsAbout,
  eventually,
  findingsMessage,
  findRun,
  finishScanPod,
  runsOf,
  startClusterForController,
  startTestController,
} from './controller-harness.ts';
import { isRunning, spawnControllerProcess } from './controller-process.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const SIGNING_KEY = `whsec_${Buffer.from('test-signing-key-0123456789').toString('base64')}`;
const SECRET_MARKER = 'Zx9SeCrEtToKeN';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver whose answer per path the test decides: a status code, or a callback before answering. */
class Receiver {
  readonly received: Received[] = [];
  readonly answers = new Map<string, (count: number) => number | Promise<number>>();
  #server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = (request.url ?? '').split('?')[0] ?? '';
        this.received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        const count = this.received.filter((r) => r.path === path).length;
        void Promise.resolve((this.answers.get(path) ?? (() => 200))(count)).then((status) => {
          response.writeHead(status).end(status < 300 ? 'ok' : 'no');
        });
      });
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}?token=${SECRET_MARKER}`;
  }

  to(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.#server === undefined ? resolve() : this.#server.close(() => resolve())));
  }
}

describe('controller: results, verdicts and notifications', () => {
  let controlPlane: ControlPlane;
  let clients: ClusterClients;
  let controller: RunningController | undefined;
  let logFile: string;
  const receiver = new Receiver();

  before(async () => {
    ({ controlPlane, clients } = await startClusterForController());
    logFile = join(controlPlane.dir, 'controller-results.log');
    controller = await startTestController(clients, { logFile });
    await receiver.start();
  });
  after(async () => {
    await controller?.stop();
    await receiver.stop();
    await controlPlane?.stop();
  });

  async function setUp(ns: string, urls: Record<string, string>, channels: NotificationChannel[], failOn?: 'HIGH') {
    await createNamespace(clients, ns);
    await clients.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'hooks' }, stringData: { ...urls, signing: SIGNING_KEY } },
    });
    const schedule: ScanSchedule = aSchedule(ns, 'nightly', {
      schedule: '0 0 1 1 *',
      jobTemplate: {
        targets: { repo: '/repos/app' },
        ...(failOn !== undefined && { options: { fail_on: failOn } }),
        notifications: { enabled: true, channels },
      },
    });
    return createSchedule(clients, schedule);
  }

  async function manualRun(ns: string, token: string): Promise<ScanRun> {
    await clients.objects.annotateSchedule(ns, 'nightly', ANNOTATION_RUN_NOW, token);
    return eventually(`a manual run in ${ns}`, async () =>
      (await runsOf(clients, ns, 'nightly')).find((run) => run.spec.trigger === 'manual' && run.status?.jobName),
    );
  }

  function finished(ns: string, name: string, done: (run: ScanRun) => boolean, timeoutMs = 60_000): Promise<ScanRun> {
    return eventually(
      `run ${ns}/${name} to reach the expected status`,
      async () => {
        const run = await findRun(clients, ns, name);
        return run !== undefined && done(run) ? run : undefined;
      },
      timeoutMs,
    );
  }

  it('runs the real report step over Trivy SARIF: the run shows its counts and verdict, status.lastRun too', async () => {
    const ns = 'trivy-report';
    await setUp(ns, {}, [], 'HIGH');
    const run = await manualRun(ns, 't1');
    const name = run.metadata.name ?? '';
    // What the report container runs, run here: our CLI over a results directory that holds Trivy's output.
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const log = join(dir, 'termination-log');
    const cli = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'src/cli/main.ts'),
        'report',
        join(REPO_ROOT, 'test/fixtures/results/trivy'),
        '--termination-log',
        log,
        '-o',
        'json',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(cli.status, 0, cli.stderr);
    const printed = JSON.parse(cli.stdout) as { findings: { critical: number; high: number; total: number } };
    await finishScanPod(clients, ns, name, { exitCode: 0, message: await readFile(log, 'utf8') });
    await rm(dir, { recursive: true, force: true });

    const done = await finished(ns, name, (r) => r.status?.phase === 'Failed' || r.status?.phase === 'Succeeded');
    assert.deepEqual(done.status?.findings, printed.findings);
    assert.ok(printed.findings.critical + printed.findings.high > 0, 'the Trivy fixture has HIGH or CRITICAL findings');
    assert.equal(done.status?.reason, 'FindingsAboveThreshold', done.status?.message);
    assert.deepEqual(done.status?.tools, ['Trivy']);
    assert.ok((done.status?.topFindings ?? []).length > 0);
    const schedule = await eventually('status.lastRun', async () => {
      const s = await clients.objects.getSchedule(ns, 'nightly');
      return s?.status?.lastRun?.name === name ? s : undefined;
    });
    assert.deepEqual(schedule.status?.lastRun?.findings, printed.findings);
  });

  it('posts exactly one Slack message and one signed webhook per run, and records both as Sent', async () => {
    const ns = 'notify-once';
    await setUp(ns, { slack: receiver.url('/once/slack'), webhook: receiver.url('/once/hook') }, [
      { type: 'slack', urlFrom: { secretKeyRef: { name: 'hooks', key: 'slack' } } },
      {
        type: 'webhook',
        urlFrom: { secretKeyRef: { name: 'hooks', key: 'webhook' } },
        signingKeyFrom: { secretKeyRef: { name: 'hooks', key: 'signing' } },
      },
    ]);
    const run = await manualRun(ns, 'n1');
    const name = run.metadata.name ?? '';
    await finishScanPod(clients, ns, name, {
      exitCode: 0,
      message: findingsMessage({ critical: 0, high: 2, medium: 1, low: 0, info: 0 }, [
        {
          id: 'CVE-2024-0001',
          severity: 'HIGH',
          title: 'openssl: bad thing',
          location: 'usr/lib/libssl.so',
          tool: 'trivy',
        },
      ]),
    });
    const done = await finished(
      ns,
      name,
      (r) => (r.status?.notifications ?? []).filter((d) => d.state === 'Sent').length === 2,
    );
    assert.deepEqual(
      done.status?.notifications?.map((d) => [d.channel, d.type, d.state, d.attempts]),
      [
        [0, 'slack', 'Sent', 1],
        [1, 'webhook', 'Sent', 1],
      ],
    );
    await consistently('no second POST', 4_000, async () =>
      receiver.to('/once/slack').length === 1 && receiver.to('/once/hook').length === 1
        ? undefined
        : `slack ${receiver.to('/once/slack').length}, webhook ${receiver.to('/once/hook').length}`,
    );
    const slack = JSON.parse(receiver.to('/once/slack')[0]?.body ?? '{}') as { text?: string; blocks?: unknown[] };
    assert.match(slack.text ?? '', new RegExp(name));
    assert.ok(Array.isArray(slack.blocks) && slack.blocks.length > 0);
    const hook = receiver.to('/once/hook')[0];
    assert.ok(hook !== undefined);
    const payload = JSON.parse(hook.body) as { kind: string; version: number; event: string; run: { name: string } };
    assert.equal(payload.kind, 'ScanRunNotification');
    assert.equal(payload.version, 1);
    assert.equal(payload.event, 'success');
    assert.equal(payload.run.name, name);
    const id = String(hook.headers['webhook-id']);
    const timestamp = String(hook.headers['webhook-timestamp']);
    const key = Buffer.from(SIGNING_KEY.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${hook.body}`).digest('base64');
    assert.equal(hook.headers['webhook-signature'], `v1,${expected}`);
  });

  it('retries a receiver that fails twice: one delivery, three attempts recorded', async () => {
    const ns = 'notify-retry';
    receiver.answers.set('/flaky/hook', (count) => (count <= 2 ? 503 : 200));
    await setUp(ns, { webhook: receiver.url('/flaky/hook') }, [
      { type: 'webhook', urlFrom: { secretKeyRef: { name: 'hooks', key: 'webhook' } } },
    ]);
    const run = await manualRun(ns, 'r1');
    const name = run.metadata.name ?? '';
    await finishScanPod(clients, ns, name, { exitCode: 1 });
    const done = await finished(ns, name, (r) => r.status?.notifications?.[0]?.state === 'Sent');
    assert.equal(done.status?.reason, 'ScanFailed');
    assert.equal(done.status?.notifications?.[0]?.attempts, 3);
    assert.equal(receiver.to('/flaky/hook').length, 3);
    assert.equal(new Set(receiver.to('/flaky/hook').map((r) => r.headers['webhook-id'])).size, 1);
    const payload = JSON.parse(receiver.to('/flaky/hook')[2]?.body ?? '{}') as { event: string; findings: unknown };
    assert.equal(payload.event, 'failure');
    assert.equal(payload.findings, null);
  });

  it('gives up on a receiver that is down with one NotificationFailed Event, the URL nowhere', async () => {
    const ns = 'notify-down';
    // Port 9 (discard) on loopback: nothing listens, every connection is refused at once.
    const schedule = await setUp(ns, { slack: `http://127.0.0.1:9/down?token=${SECRET_MARKER}` }, [
      { type: 'slack', urlFrom: { secretKeyRef: { name: 'hooks', key: 'slack' } } },
    ]);
    const run = await manualRun(ns, 'd1');
    const name = run.metadata.name ?? '';
    await finishScanPod(clients, ns, name, {
      exitCode: 0,
      message: findingsMessage({ critical: 0, high: 0, medium: 0, low: 0, info: 0 }),
    });
    const done = await finished(ns, name, (r) => r.status?.notifications?.[0]?.state === 'Failed', 90_000);
    assert.equal(done.status?.notifications?.[0]?.attempts, 5);
    const failures = await eventually('a NotificationFailed Event', async () => {
      const events = (await eventsAbout(clients, ns, schedule.metadata.uid ?? '')).filter(
        (e) => e.reason === 'NotificationFailed',
      );
      return events.length > 0 ? events : undefined;
    });
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.type, 'Warning');
  });

  it('keeps every Secret URL out of controller logs, Events, status and Job specs', async () => {
    // After the tests above: each namespace has a Secret whose URLs carry SECRET_MARKER.
    const places: string[] = [await readFile(logFile, 'utf8')];
    for (const ns of ['notify-once', 'notify-retry', 'notify-down']) {
      places.push(JSON.stringify((await clients.events.listNamespacedEvent({ namespace: ns })).items));
      places.push(JSON.stringify(await runsOf(clients, ns, 'nightly')));
      places.push(JSON.stringify(await clients.objects.getSchedule(ns, 'nightly')));
      places.push(JSON.stringify((await clients.batch.listNamespacedJob({ namespace: ns })).items));
    }
    assert.ok(places[0] !== undefined && places[0].length > 0, 'the controller logged something');
    for (const text of places) assert.ok(!text.includes(SECRET_MARKER), 'a secret URL leaked');
  });

  it('repeats a POST at most once when the controller is SIGKILLed between the POST and its status write', async () => {
    await controller?.stop();
    controller = undefined;
    const ns = 'notify-crash';
    const replica = spawnControllerProcess('crash-notify', controlPlane.kubeconfigPath, controlPlane.dir);
    try {
      // The receiver kills the controller while it waits for the answer to its first POST: the message has
      // arrived, the controller never learns it, and nothing was written.
      receiver.answers.set('/crash/hook', async (count) => {
        if (count === 1) {
          replica.child.kill('SIGKILL');
          await replica.exited;
        }
        return 200;
      });
      await setUp(ns, { webhook: receiver.url('/crash/hook') }, [
        { type: 'webhook', urlFrom: { secretKeyRef: { name: 'hooks', key: 'webhook' } } },
      ]);
      const run = await manualRun(ns, 'c1');
      const name = run.metadata.name ?? '';
      await finishScanPod(clients, ns, name, {
        exitCode: 0,
        message: findingsMessage({ critical: 0, high: 0, medium: 0, low: 0, info: 0 }),
      });
      await eventually('the first POST', async () => (receiver.to('/crash/hook').length >= 1 ? true : undefined));
      await replica.exited;
      const restarted = spawnControllerProcess('crash-notify', controlPlane.kubeconfigPath, controlPlane.dir);
      try {
        const done = await finished(ns, name, (r) => r.status?.notifications?.[0]?.state === 'Sent', 90_000);
        assert.equal(done.status?.notifications?.[0]?.attempts, 1);
        await consistently('no third POST', 4_000, async () =>
          receiver.to('/crash/hook').length === 2 ? undefined : `${receiver.to('/crash/hook').length} POSTs`,
        );
        const ids = receiver.to('/crash/hook').map((r) => r.headers['webhook-id']);
        assert.equal(new Set(ids).size, 1, 'the repeat carries the same webhook-id, for receivers to drop');
      } finally {
        if (isRunning(restarted)) restarted.child.kill('SIGKILL');
        await restarted.exited;
      }
    } finally {
      if (isRunning(replica)) replica.child.kill('SIGKILL');
    }
  });
});
