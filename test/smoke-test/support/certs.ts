/**
 * Self-signed certificates for the tls/hsts tests, made with the openssl binary. `openssl ca
 * -selfsign` is used because it accepts explicit start and end dates on OpenSSL 3.0 (where
 * `req -x509` only takes a positive `-days`), so already-expired certificates need no fake clock.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const OPENSSL_HINT = 'Install it with: apt-get install openssl';
let opensslChecked = false;

/**
 * Throws with an install hint when the openssl binary cannot run: tests that need
 * certificates fail loudly, never skip (a requirement must not pass unproven).
 */
export function requireOpenssl(binary = 'openssl'): void {
  if (binary === 'openssl' && opensslChecked) return;
  try {
    execFileSync(binary, ['version'], { stdio: 'pipe' });
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0];
    throw new Error(
      `openssl is not available (${binary}: ${why}); the tls, hsts and https tests make their certificates with it. ${OPENSSL_HINT}`,
      { cause: err },
    );
  }
  if (binary === 'openssl') opensslChecked = true;
}

export interface CertificateOptions {
  commonName?: string;
  /** subjectAltName entries, e.g. `DNS:localhost`, `IP:127.0.0.1`. */
  altNames?: string[];
  notBefore: Date;
  notAfter: Date;
}

export interface Certificate {
  key: string;
  cert: string;
  /** The certificate written to a file (for ca-file and NODE_EXTRA_CA_CERTS). */
  certPath: string;
}

const CA_CONFIG = `[ ca ]
default_ca = test_ca
[ test_ca ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
copy_extensions = copy
unique_subject = no
[ policy_any ]
commonName = supplied
`;

/** Writes into `dir` (kept, so certPath stays valid); the scratch files go away. */
export function makeCertificate(dir: string, options: CertificateOptions): Certificate {
  requireOpenssl();
  const work = mkdtempSync(path.join(os.tmpdir(), 'gantry-cert-'));
  try {
    writeFileSync(path.join(work, 'ca.cnf'), CA_CONFIG);
    writeFileSync(path.join(work, 'index.txt'), '');
    writeFileSync(path.join(work, 'serial'), `${Date.now().toString(16).padStart(16, '0')}\n`);
    const altNames = (options.altNames ?? ['DNS:localhost', 'IP:127.0.0.1']).join(',');
    const run = (args: string[]): void => void execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
    run([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'req.csr',
      '-subj',
      `/CN=${options.commonName ?? 'localhost'}`,
      '-addext',
      `subjectAltName=${altNames}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ]);
    run([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'key.pem',
      '-in',
      'req.csr',
      '-out',
      'cert.pem',
      '-startdate',
      opensslDate(options.notBefore),
      '-enddate',
      opensslDate(options.notAfter),
      '-notext',
    ]);
    const key = readFileSync(path.join(work, 'key.pem'), 'utf8');
    const cert = readFileSync(path.join(work, 'cert.pem'), 'utf8');
    const certPath = path.join(dir, `cert-${Math.random().toString(36).slice(2)}.pem`);
    writeFileSync(certPath, cert);
    return { key, cert, certPath };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function daysFromNow(days: number): Date {
  return new Date(Date.now() + days * 86_400_000);
}

function opensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}
