/**
 * The fixtures for PostgreSQL and openssl fail with an install hint when the binaries are
 * missing, so the tests that need them fail instead of being skipped unnoticed.
 */
import { describe, expect, it } from 'vitest';
import { requireOpenssl } from './support/certs';
import { postgresBinDir } from './support/postgres';

describe('test fixtures need their binaries', () => {
  it('postgres: names where it looked and how to install it', () => {
    expect(() => postgresBinDir(['/nonexistent/bin'])).toThrow(
      /^PostgreSQL binaries \(initdb, postgres\) not found in \/nonexistent\/bin; .*Install them with: apt-get install postgresql$/,
    );
    expect(postgresBinDir()).toMatch(/\//);
  });

  it('openssl: says why it cannot run and how to install it', () => {
    expect(() => requireOpenssl('/nonexistent/openssl')).toThrow(
      /^openssl is not available \(\/nonexistent\/openssl: ENOENT\).*Install it with: apt-get install openssl$/,
    );
    expect(() => requireOpenssl()).not.toThrow();
  });
});
