/**
 * tls and hsts checks (and http over https) against node:https servers on 127.0.0.1 with
 * self-signed certificates made by openssl in the test: valid, expired, expiring tomorrow,
 * issued for another host.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/util/clock';
import type { Check } from '../../actions/smoke-test/src/definitions';
import { createExecutor } from '../../actions/smoke-test/src/executor';
import { loadChecks, parseCheckList } from '../../actions/smoke-test/src/load';
import { daysFromNow, makeCertificate, type Certificate } from './support/certs';
import { sendText, startHttpsServer, type TestServer } from './support/servers';

const HSTS: Record<string, string | undefined> = {
  '/hsts': 'max-age=63072000; includeSubDomains; preload',
  '/hsts-short': 'max-age=300',
  '/hsts-no-subdomains': 'max-age="31536000"',
  '/plain': undefined,
};

// Without openssl, beforeAll fails every test here with the install hint (never a skip).
describe('tls and hsts checks over real TLS', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smoke-tls-'));
  const servers: Record<string, TestServer> = {};
  const certs: Record<string, Certificate> = {};
  const executor = createExecutor(systemClock);

  beforeAll(async () => {
    certs.good = makeCertificate(dir, { notBefore: daysFromNow(-1), notAfter: daysFromNow(90) });
    certs.expired = makeCertificate(dir, { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-02-01T00:00:00Z') });
    certs.soon = makeCertificate(dir, { notBefore: daysFromNow(-60), notAfter: daysFromNow(1) });
    certs.otherHost = makeCertificate(dir, {
      commonName: 'other.example',
      altNames: ['DNS:other.example'],
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(90),
    });
    for (const [name, cert] of Object.entries(certs)) {
      servers[name] = await startHttpsServer((req, res) => {
        const hsts = HSTS[req.url ?? ''];
        sendText(res, 200, 'ok', hsts ? { 'strict-transport-security': hsts } : {});
      }, cert);
    }
  });
  afterAll(async () => {
    await executor.close();
    await Promise.all(Object.values(servers).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  function check(yaml: string): Check {
    return loadChecks(parseCheckList(yaml, 'checks'), { defaultTimeoutMs: 2000, env: {}, workspace: dir }, 'checks').checks[0];
  }
  const attempt = (yaml: string) => executor.attempt(check(yaml));

  describe('tls', () => {
    it('passes for a trusted certificate valid for the host and long enough', async () => {
      const result = await attempt(`- { type: tls, url: '${servers.good.url}', ca-file: ${certs.good.certPath}, min-days-valid: 30 }`);
      expect(result).toMatchObject({
        ok: true,
        detail: expect.stringMatching(/^valid until \d{4}-\d\d-\d\dT[\d:]+Z \(8\d days\), CN=localhost$/),
      });
      // host/port form, with a host name instead of the address
      const byHost = await attempt(
        `- { type: tls, host: 127.0.0.1, port: ${servers.good.port}, servername: localhost, ca-file: ${certs.good.certPath} }`,
      );
      expect(byHost.ok).toBe(true);
    });

    it('fails for an expired certificate', async () => {
      const result = await attempt(`- { type: tls, url: '${servers.expired.url}', ca-file: ${certs.expired.certPath} }`);
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(/^certificate CN=localhost expired on 2020-02-01T00:00:00Z \(\d+ day\(s\) ago\)$/);
    });

    it('fails for a certificate expiring sooner than min-days-valid', async () => {
      const result = await attempt(`- { type: tls, url: '${servers.soon.url}', ca-file: ${certs.soon.certPath}, min-days-valid: 30 }`);
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(/^certificate CN=localhost expires on [\d-]+T[\d:]+Z, in (0\.9|1\.0) day\(s\); at least 30 required$/);
      // With a lower bar the same certificate passes.
      expect((await attempt(`- { type: tls, url: '${servers.soon.url}', ca-file: ${certs.soon.certPath}, min-days-valid: 0 }`)).ok).toBe(
        true,
      );
    });

    it('fails for a certificate issued for another host', async () => {
      const result = await attempt(`- { type: tls, url: '${servers.otherHost.url}', ca-file: ${certs.otherHost.certPath} }`);
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(
        /^certificate CN=other\.example is not valid for 127\.0\.0\.1: .*IP: 127\.0\.0\.1 is not in the cert's list/,
      );
    });

    it('fails for an untrusted certificate unless told to be insecure', async () => {
      const untrusted = await attempt(`- { type: tls, url: '${servers.good.url}' }`);
      expect(untrusted.ok).toBe(false);
      expect(untrusted.reason).toMatch(
        /^certificate CN=localhost is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN); set ca-file for a private CA\)$/,
      );
      expect((await attempt(`- { type: tls, url: '${servers.good.url}', insecure: true }`)).ok).toBe(true);
    });
  });

  describe('hsts', () => {
    const hsts = (route: string, extra = '') =>
      attempt(`- { type: hsts, url: '${servers.good.url}${route}', ca-file: ${certs.good.certPath}${extra} }`);

    it('passes for a long max-age with includeSubDomains and preload', async () => {
      expect(await hsts('/hsts', ', include-subdomains: true, preload: true')).toMatchObject({
        ok: true,
        detail: 'max-age=63072000; includeSubDomains; preload',
      });
    });

    it.each([
      ['/plain', '', /^no Strict-Transport-Security header — status 200/],
      ['/hsts-short', '', /^HSTS max-age 300 is below 31536000 — status 200/],
      ['/hsts-short', ', min-max-age: 300', null],
      ['/hsts-no-subdomains', ', include-subdomains: true', /^HSTS "max-age=\\"31536000\\"" lacks includeSubDomains — status 200/],
    ])('%s%s', async (route, extra, reason) => {
      const result = await hsts(route, extra);
      if (reason === null) expect(result.ok).toBe(true);
      else expect(result.reason).toMatch(reason);
    });
  });

  describe('http over https', () => {
    it('trusts the ca-file and reports certificate errors by code otherwise', async () => {
      expect((await attempt(`- { url: '${servers.good.url}/', ca-file: ${certs.good.certPath} }`)).ok).toBe(true);
      expect((await attempt(`- { url: '${servers.good.url}/' }`)).reason).toMatch(
        /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN): self.signed certificate/,
      );
      expect((await attempt(`- { url: '${servers.expired.url}/', ca-file: ${certs.expired.certPath} }`)).reason).toBe(
        'CERT_HAS_EXPIRED: certificate has expired',
      );
      expect((await attempt(`- { url: '${servers.expired.url}/', insecure: true }`)).ok).toBe(true);
    });
  });
});
