/**
 * The postgres check against a PostgreSQL started from the installed binaries: SELECT 1
 * passes; a wrong password, a missing database and a closed port fail with their codes; and
 * through the bundle, the connection string and its password never reach the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/util/clock';
import { createExecutor } from '../../actions/smoke-test/src/executor';
import { loadChecks, parseCheckList } from '../../actions/smoke-test/src/load';
import { runAction } from '../support/harness';
import { startPostgres, type TestPostgres } from './support/postgres';
import { closedPort } from './support/servers';

// Without PostgreSQL installed, beforeAll fails every test here with the install hint (never a skip).
describe('postgres check', () => {
  let db: TestPostgres;
  const executor = createExecutor(systemClock);

  beforeAll(async () => {
    db = await startPostgres('pw-Zq81-secret');
  });
  afterAll(async () => {
    await executor.close();
    await db?.stop();
  });

  const attempt = (url: string) => {
    const env = { DATABASE_URL: url };
    const { checks } = loadChecks(
      parseCheckList('- { type: postgres, url-env: DATABASE_URL }', 'checks'),
      { defaultTimeoutMs: 3000, env, workspace: '/' },
      'checks',
    );
    return executor.attempt(checks[0]);
  };

  it('passes when SELECT 1 answers', async () => {
    expect(await attempt(db.url)).toMatchObject({ ok: true, detail: expect.stringMatching(/^SELECT 1 in \d+ ms$/) });
  });

  it('fails with the server error code for a wrong password or a missing database', async () => {
    const wrongPassword = db.url.replace(encodeURIComponent(db.password), 'nope');
    expect(await attempt(wrongPassword)).toEqual({ ok: false, reason: '28P01: password authentication failed for user "gantry"' });
    expect(await attempt(db.url.replace(/\/postgres$/, '/shop'))).toEqual({ ok: false, reason: '3D000: database "shop" does not exist' });
  });

  it('fails with ECONNREFUSED on a closed port', async () => {
    const port = await closedPort();
    expect(await attempt(`postgres://gantry:x@127.0.0.1:${port}/postgres`)).toEqual({
      ok: false,
      reason: `connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  it('end to end: masks the connection string and password, reports pass and fail', async () => {
    const checks = '- { name: db, type: postgres, url-env: DATABASE_URL }';
    const passed = await runAction(
      'smoke-test',
      { checks, 'timeout-seconds': 2, 'interval-seconds': 1 },
      { env: { DATABASE_URL: db.url } },
    );
    expect(passed.stdout).toContain(`::add-mask::${db.url}`);
    expect(passed.stdout).toContain(`::add-mask::${db.password}`);
    expect(passed.exitCode).toBe(0);
    expect(passed.outputs).toMatchObject({ passed: '1', failed: '0' });
    expect(JSON.parse(passed.outputs.report)).toEqual([
      { name: 'db', type: 'postgres', target: '$DATABASE_URL', status: 'passed', attempts: 1, latencyMs: expect.any(Number), reason: null },
    ]);

    const wrongUrl = db.url.replace(encodeURIComponent(db.password), 'wrong-pw-77');
    const failed = await runAction(
      'smoke-test',
      { checks, 'timeout-seconds': 1, 'interval-seconds': 1 },
      { env: { DATABASE_URL: wrongUrl } },
    );
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toContain('✗ db — attempt 1: 28P01: password authentication failed for user "gantry"');
    const unmasked = failed.stdout.replace(/^::add-mask::.*$/gm, '');
    expect(unmasked).not.toContain('wrong-pw-77');
    expect(failed.summary).not.toContain('wrong-pw-77');
    expect(failed.annotations[0].message).toBe('GANTRY-SMOKE-017: 1 of 1 smoke checks failed: db');
  });
});
