/**
 * A throwaway PostgreSQL from the installed binaries (initdb + postgres), listening on
 * 127.0.0.1 at a free port with password (scram) authentication, its socket and data in a
 * temporary directory. initdb and postgres refuse to run as root, so when the tests run as
 * root both run as the `postgres` user (or `nobody`) through runuser.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { closedPort } from './servers';

export interface TestPostgres {
  /** postgres://<user>:<password>@127.0.0.1:<port>/postgres */
  url: string;
  user: string;
  password: string;
  port: number;
  stop(): Promise<void>;
}

const SEARCH = ['/usr/local/bin', '/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

/**
 * The directory holding initdb and postgres. Throws with an install hint when PostgreSQL is
 * not installed: the postgres check's tests fail loudly, never skip.
 */
export function postgresBinDir(search: readonly string[] = SEARCH): string {
  const found = search.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres')));
  if (found) return found;
  throw new Error(
    `PostgreSQL binaries (initdb, postgres) not found in ${search.join(', ')}; the postgres check's tests start a server from them. ` +
      'Install them with: apt-get install postgresql',
  );
}

function unprivilegedUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { name, uid, gid };
    } catch {
      // try the next one
    }
  }
  throw new Error('running as root and neither a postgres nor a nobody user exists to run PostgreSQL as');
}

function command(user: ReturnType<typeof unprivilegedUser>, binary: string, args: string[]): [string, string[]] {
  return user ? ['runuser', ['-u', user.name, '--', binary, ...args]] : [binary, args];
}

export async function startPostgres(password = 'smoke-secret-pw'): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const user = unprivilegedUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gantry-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  const dbUser = 'gantry';
  const [initCmd, initArgs] = command(user, path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    dbUser,
    `--pwfile=${pwfile}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe', cwd: dir });

  const port = await closedPort();
  const [pgCmd, pgArgs] = command(user, path.join(bin, 'postgres'), [
    '-D',
    data,
    '-k',
    dir,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'max_connections=20',
  ]);
  const child = spawn(pgCmd, pgArgs, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `postgres://${dbUser}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  const stop = async (): Promise<void> => {
    signalPostmaster(child, data);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(url, child, () => log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, user: dbUser, password, port, stop };
}

/** Fast shutdown (SIGINT) of the postmaster itself: runuser does not forward signals reliably. */
function signalPostmaster(child: ChildProcess, data: string): void {
  const pidFile = path.join(data, 'postmaster.pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
  try {
    if (pid) process.kill(pid, 'SIGINT');
    else child.kill('SIGINT');
  } catch {
    // already gone
  }
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections: ${String(err)}\n${log()}`, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
