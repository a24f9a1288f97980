// Structured logs: pino JSON lines by default (what log pipelines in a cluster parse), pino-pretty for a person
// at a terminal. Messages are fixed strings; the data goes in fields (STYLE S8).
import { createRequire } from 'node:module';
import { type DestinationStream, type LoggerOptions, pino } from 'pino';

export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The part of pino the rest of the code uses, so tests can pass a recorder instead. */
export interface Logger {
  trace(fields: object, message: string): void;
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): Logger;
}

export interface LoggerSettings {
  level?: LogLevel;
  format?: LogFormat;
  /** Where JSON lines go; default stdout. Ignored for `pretty`, which writes to stdout from a worker. */
  destination?: DestinationStream;
  /** Fields on every line, e.g. { component: 'controller' }. */
  base?: Record<string, unknown>;
}

/**
 * Fields that may hold webhook URLs or credentials. Code never logs them on purpose (docs/design.md §5: webhook URLs
 * never appear in logs); this is the net under that rule for objects logged whole.
 */
export const REDACTED_PATHS: readonly string[] = [
  'url',
  '*.url',
  'webhookUrl',
  '*.webhookUrl',
  'headers.authorization',
  '*.headers.authorization',
  'body.spec.jobTemplate.notifications.channels[*].url',
];

// pino-pretty is a devDependency: the production image has none, and `--log-format pretty` there must not crash
// the controller at startup.
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const common: LoggerOptions = {
    level: settings.level ?? 'info',
    base: settings.base ?? {},
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const wantsPretty = settings.format === 'pretty';
  if (wantsPretty && prettyAvailable()) {
    return pino({
      ...common,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:standard', ignore: 'pid,hostname' },
      },
    });
  }
  const logger = pino(
    {
      ...common,
      // Level names, not numbers: `"level":"warn"` is what Loki, Cloud Logging and kubectl logs | jq users expect.
      formatters: { level: (label) => ({ level: label }) },
    },
    settings.destination ?? pino.destination(1),
  );
  if (wantsPretty) logger.warn({ format: 'pretty' }, 'pino-pretty is not installed, logging JSON');
  return logger;
}

/** A logger that drops everything, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
