/**
 * What the logic of an action may say to the log. main.ts passes the runner
 * implementation (lib/runner/github.ts); tests pass `memoryLogger()` and assert on what was said.
 */
export interface Annotation {
  file?: string;
  line?: number;
  title?: string;
}

export interface Logger {
  info(message: string): void;
  warning(message: string, annotation?: Annotation): void;
  error(message: string, annotation?: Annotation): void;
  debug(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Mask a value in every later log line. */
  secret(value: string): void;
}

export interface MemoryLogger extends Logger {
  lines: string[];
  warnings: string[];
  errors: string[];
  secrets: string[];
  text(): string;
}

export function memoryLogger(): MemoryLogger {
  const log: MemoryLogger = {
    lines: [],
    warnings: [],
    errors: [],
    secrets: [],
    info: (m) => void log.lines.push(m),
    warning: (m) => {
      log.warnings.push(m);
      log.lines.push(`warning: ${m}`);
    },
    error: (m) => {
      log.errors.push(m);
      log.lines.push(`error: ${m}`);
    },
    debug: () => undefined,
    group: async (name, fn) => {
      log.lines.push(`▶ ${name}`);
      return fn();
    },
    secret: (v) => void log.secrets.push(v),
    text: () => log.lines.join('\n'),
  };
  return log;
}

/**
 * Every line prefixed (`[api] …`), for several services logged at once (deploy-ecs and rollback
 * with `services`). Groups become a prefixed heading line: concurrent groups cannot nest in the runner's log.
 */
export function prefixedLogger(log: Logger, prefix: string): Logger {
  const p = (m: string): string => `[${prefix}] ${m}`;
  return {
    info: (m) => log.info(p(m)),
    warning: (m, a) => log.warning(p(m), a),
    error: (m, a) => log.error(p(m), a),
    debug: (m) => log.debug(p(m)),
    group: async (name, fn) => {
      log.info(p(`▸ ${name}`));
      return fn();
    },
    secret: (v) => log.secret(v),
  };
}
