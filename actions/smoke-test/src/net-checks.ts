/** One attempt of the tls, tcp and postgres checks. */
import net from 'node:net';
import tls, { type PeerCertificate, type TLSSocket } from 'node:tls';
import type { Clock } from '../../../lib/util/clock';
import type { AttemptResult, PostgresCheck, TcpCheck, TlsCheck } from './definitions';
import { describeRequestError } from './http-client';

const DAY_MS = 86_400_000;

export function tcpAttempt(check: TcpCheck, clock: Clock): Promise<AttemptResult> {
  const started = clock.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: check.host, port: check.port });
    socket.setTimeout(check.timeoutMs, () => {
      socket.destroy();
      resolve({ ok: false, reason: `timed out after ${check.timeoutMs} ms connecting to ${check.host}:${check.port}` });
    });
    socket.once('connect', () => {
      const latencyMs = clock.now() - started;
      socket.destroy();
      resolve({ ok: true, detail: `connected in ${latencyMs} ms`, latencyMs });
    });
    socket.once('error', (err) => resolve({ ok: false, reason: describeRequestError(err, check.timeoutMs) }));
  });
}

export function tlsAttempt(check: TlsCheck, clock: Clock): Promise<AttemptResult> {
  const started = clock.now();
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: check.host,
      port: check.port,
      // SNI carries host names only (RFC 6066 §3).
      servername: net.isIP(check.servername) ? undefined : check.servername,
      // Trust is judged below, with the other findings, instead of aborting the handshake.
      rejectUnauthorized: false,
      ca: check.trust.ca ? [...tls.rootCertificates, check.trust.ca] : undefined,
    });
    socket.setTimeout(check.timeoutMs, () => {
      socket.destroy();
      resolve({ ok: false, reason: `timed out after ${check.timeoutMs} ms (TLS handshake with ${check.host}:${check.port})` });
    });
    socket.once('secureConnect', () => {
      const latencyMs = clock.now() - started;
      const result = judgeCertificate(check, socket, clock.now());
      socket.destroy();
      resolve({ ...result, latencyMs });
    });
    socket.once('error', (err) => resolve({ ok: false, reason: describeRequestError(err, check.timeoutMs) }));
  });
}

/** Expiry, host name, trust and remaining validity, in the order a person would fix them. */
export function judgeCertificate(
  check: TlsCheck,
  socket: Pick<TLSSocket, 'getPeerCertificate' | 'authorized' | 'authorizationError'>,
  now: number,
): AttemptResult {
  const cert: PeerCertificate = socket.getPeerCertificate();
  if (!cert || !cert.valid_to) return { ok: false, reason: 'the server sent no certificate' };
  const validTo = Date.parse(cert.valid_to);
  const validFrom = Date.parse(cert.valid_from);
  const daysLeft = (validTo - now) / DAY_MS;
  const subject = describeSubject(cert);
  const problems: string[] = [];
  if (validTo <= now) problems.push(`certificate ${subject} expired on ${iso(validTo)} (${Math.ceil(-daysLeft)} day(s) ago)`);
  else if (validFrom > now) problems.push(`certificate ${subject} is not valid before ${iso(validFrom)}`);
  const identity = tls.checkServerIdentity(check.servername, cert);
  if (identity) problems.push(`certificate ${subject} is not valid for ${check.servername}: ${identity.message}`);
  const error = socket.authorizationError
    ? String((socket.authorizationError as Error & { code?: string }).code ?? socket.authorizationError)
    : undefined;
  if (!check.trust.insecure && !socket.authorized && error && !/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/.test(error)) {
    problems.push(`certificate ${subject} is not trusted (${error}; set ca-file for a private CA)`);
  }
  if (validTo > now && daysLeft < check.minDaysValid) {
    problems.push(
      `certificate ${subject} expires on ${iso(validTo)}, in ${daysLeft.toFixed(1)} day(s); at least ${check.minDaysValid} required`,
    );
  }
  if (problems.length) return { ok: false, reason: problems.join('; ') };
  return { ok: true, detail: `valid until ${iso(validTo)} (${Math.floor(daysLeft)} days), ${subject}` };
}

function describeSubject(cert: PeerCertificate): string {
  const cn = cert.subject?.CN;
  return cn ? `CN=${Array.isArray(cn) ? cn.join(',') : cn}` : `serial ${cert.serialNumber}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export async function postgresAttempt(check: PostgresCheck, clock: Clock): Promise<AttemptResult> {
  const started = clock.now();
  // Loaded on first use: most runs have no database check, and pg is a sixth of the bundle's start-up.
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: check.connectionString,
    connectionTimeoutMillis: check.timeoutMs,
    query_timeout: check.timeoutMs,
    application_name: 'gantry-smoke-test',
  });
  // A broken connection after the check must not crash the action as an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ ok: number }>('SELECT 1 AS ok');
    if (result.rows[0]?.ok !== 1) return { ok: false, reason: `SELECT 1 returned ${JSON.stringify(result.rows)}` };
    const latencyMs = clock.now() - started;
    return { ok: true, detail: `SELECT 1 in ${latencyMs} ms`, latencyMs };
  } catch (err) {
    return { ok: false, reason: describeRequestError(err, check.timeoutMs) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
