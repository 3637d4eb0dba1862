/** Dispatches one attempt of any check to its implementation; owns the HTTP connections. */
import type { Clock } from '../../../lib/util/clock';
import type { AttemptResult, Check } from './definitions';
import { HttpClient } from './http-client';
import { hstsAttempt, httpAttempt, rateLimitAttempt, redirectAttempt } from './http-checks';
import { postgresAttempt, tcpAttempt, tlsAttempt } from './net-checks';

export interface CheckExecutor {
  attempt(check: Check): Promise<AttemptResult>;
  close(): Promise<void>;
}

export function createExecutor(clock: Clock): CheckExecutor {
  const http = new HttpClient(clock);
  return {
    attempt(check) {
      switch (check.type) {
        case 'http':
          return httpAttempt(http, check);
        case 'https-redirect':
          return redirectAttempt(http, check);
        case 'hsts':
          return hstsAttempt(http, check);
        case 'rate-limit':
          return rateLimitAttempt(http, check, () => clock.now());
        case 'tls':
          return tlsAttempt(check, clock);
        case 'tcp':
          return tcpAttempt(check, clock);
        case 'postgres':
          return postgresAttempt(check, clock);
      }
    },
    close: () => http.close(),
  };
}
