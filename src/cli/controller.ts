// scanschedule controller: flags named as controller-runtime names them, so operators feel at home.

import { Command, Option } from 'commander';
import { shardProblem } from '../core/shards.ts';
import { CONTROLLER_DEFAULTS, startController } from '../kube/controller.ts';
import { loadKubeConfig } from '../kube/kube-config.ts';
import { createLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../observe/logger.ts';
import { parseGoDuration } from '../schedule/duration.ts';
import { UsageError } from './usage-error.ts';

interface ControllerFlags {
  kubeconfig?: string;
  namespace?: string;
  leaderElect: string;
  leaderElectNamespace?: string;
  leaderElectLeaseDuration: string;
  leaderElectRenewDeadline: string;
  leaderElectRetryPeriod: string;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  maxConcurrentReconciles: string;
  shardCount: string;
  shardIndex: string;
  scannerImage: string;
  reportImage: string;
  allowLinkLocalNotificationTargets?: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/** The controller's flags; the manifests test checks the Deployment passes only these. */
export const CONTROLLER_FLAGS = [
  '--kubeconfig',
  '--namespace',
  '--leader-elect',
  '--leader-elect-namespace',
  '--leader-elect-lease-duration',
  '--leader-elect-renew-deadline',
  '--leader-elect-retry-period',
  '--metrics-bind-address',
  '--health-probe-bind-address',
  '--max-concurrent-reconciles',
  '--shard-count',
  '--shard-index',
  '--scanner-image',
  '--report-image',
  '--allow-link-local-notification-targets',
  '--log-level',
  '--log-format',
] as const;

function durationMs(flag: string, text: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} ${text}: use a duration such as 15s or 2m`);
  return ms;
}

function wholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} ${text}: use a whole number`);
  return Number(text);
}

/** A default duration as a flag shows it: whole seconds, "15s". */
const seconds = (ms: number): string => `${ms / 1000}s`;

/** The controller command on its own: main.ts loads this module only when `controller` runs (it loads the client). */
export function controllerCommand(): Command {
  return new Command('scanschedule controller')
    .description('Run the controller: reconcile ScanSchedules into ScanRuns and Jobs in the current cluster.')
    .option('--kubeconfig <path>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--namespace <namespace>', 'watch only this namespace (default: all)')
    .option('--leader-elect <bool>', 'elect a leader on a Lease so only one replica reconciles', 'true')
    .option(
      '--leader-elect-namespace <namespace>',
      'namespace of the Lease (default: POD_NAMESPACE, else --namespace, else default)',
    )
    .option(
      '--leader-elect-lease-duration <duration>',
      'how long a Lease is valid without renewal',
      seconds(CONTROLLER_DEFAULTS.leaseDurationMs),
    )
    .option(
      '--leader-elect-renew-deadline <duration>',
      'how long the leader retries renewing before giving up',
      seconds(CONTROLLER_DEFAULTS.renewDeadlineMs),
    )
    .option(
      '--leader-elect-retry-period <duration>',
      'how often candidates retry',
      seconds(CONTROLLER_DEFAULTS.retryPeriodMs),
    )
    .option(
      '--metrics-bind-address <address>',
      'address of /metrics; 0 disables it',
      CONTROLLER_DEFAULTS.metricsBindAddress,
    )
    .option(
      '--health-probe-bind-address <address>',
      'address of /healthz and /readyz; 0 disables them',
      CONTROLLER_DEFAULTS.healthProbeBindAddress,
    )
    .option(
      '--max-concurrent-reconciles <n>',
      'schedules reconciled at the same time',
      String(CONTROLLER_DEFAULTS.maxConcurrentReconciles),
    )
    .option(
      '--shard-count <n>',
      'split the namespaces into this many shards by hash (1–256), each reconciled by its own controller and Lease',
      '1',
    )
    .option('--shard-index <k>', 'the shard this controller reconciles, 0 to --shard-count − 1', '0')
    .option(
      '--scanner-image <image>',
      'scan image when a schedule does not set backend.config.image',
      CONTROLLER_DEFAULTS.scannerImage,
    )
    .option(
      '--report-image <image>',
      'image of the scan pod’s report step (scanschedule report); this controller’s own image',
      CONTROLLER_DEFAULTS.reportImage,
    )
    .option(
      '--allow-link-local-notification-targets',
      'allow notifications to link-local and cloud-metadata addresses (169.254.0.0/16, fe80::/10); refused by default',
    )
    .addOption(new Option('--log-level <level>', 'log level').choices([...LOG_LEVELS]).default('info'))
    .addOption(new Option('--log-format <format>', 'log format').choices([...LOG_FORMATS]).default('json'))
    .action(async (flags: ControllerFlags) => {
      await runControllerCommand(flags);
    });
}

async function runControllerCommand(flags: ControllerFlags): Promise<void> {
  if (!['true', 'false'].includes(flags.leaderElect)) throw new UsageError('--leader-elect takes true or false');
  const concurrency = Number(flags.maxConcurrentReconciles);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError('--max-concurrent-reconciles takes a whole number ≥ 1');
  const shard = {
    index: wholeNumber('--shard-index', flags.shardIndex),
    count: wholeNumber('--shard-count', flags.shardCount),
  };
  const problem = shardProblem(shard);
  if (problem !== undefined) throw new UsageError(problem);
  const log = createLogger({ level: flags.logLevel, format: flags.logFormat, base: { component: 'controller' } });
  let kubeConfig: ReturnType<typeof loadKubeConfig>;
  try {
    kubeConfig = loadKubeConfig(flags.kubeconfig);
  } catch (cause) {
    throw new UsageError((cause as Error).message, { cause });
  }
  const controller = await startController({
    kubeConfig,
    namespace: flags.namespace,
    leaderElect: flags.leaderElect === 'true',
    leaderElectNamespace: flags.leaderElectNamespace ?? process.env.POD_NAMESPACE ?? flags.namespace ?? 'default',
    leaseDurationMs: durationMs('--leader-elect-lease-duration', flags.leaderElectLeaseDuration),
    renewDeadlineMs: durationMs('--leader-elect-renew-deadline', flags.leaderElectRenewDeadline),
    retryPeriodMs: durationMs('--leader-elect-retry-period', flags.leaderElectRetryPeriod),
    metricsBindAddress: flags.metricsBindAddress,
    healthProbeBindAddress: flags.healthProbeBindAddress,
    maxConcurrentReconciles: concurrency,
    shard,
    scannerImage: flags.scannerImage,
    reportImage: flags.reportImage,
    allowLinkLocalNotificationTargets: flags.allowLinkLocalNotificationTargets === true,
    log,
  });
  log.info({ metricsPort: controller.metricsPort, healthPort: controller.healthPort }, 'controller started');
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ signal }, 'signal received');
    void controller.stop();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const reason = await controller.done;
  log.info({ reason }, 'controller stopped');
  if (reason === 'lost-leadership') {
    // Exit now, as client-go's OnStoppedLeading does: nothing of this replica may act once another leads, and
    // the pod restarts and campaigns again. The JSON logger writes synchronously, so the lines above are out.
    process.exit(1);
  }
  process.exitCode = 0;
}
