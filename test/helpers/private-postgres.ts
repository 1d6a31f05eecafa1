// A PostgreSQL cluster of the test's own (initdb and pg_ctl into a temporary folder, on a free loopback
// port, trust auth, its unix socket in that folder), so a test can restart, stop and start a server
// without touching the shared one. Run as the `postgres` OS user when the tests run as root (PostgreSQL
// refuses to run as root). Commands run asynchronously: the emulators in the test process keep answering.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';

const run = promisify(execFile);

/** The folder holding initdb and pg_ctl (the newest installed major version), or null. */
export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(root, versions[0]!, 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) return dir;
  return null;
}

export interface PrivateCluster {
  port: number;
  /** A connection URL for database `db` (default postgres). */
  url(db?: string): string;
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server at once and removes its folder. */
  destroy(): Promise<void>;
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

export async function startPrivateCluster(bin: string): Promise<PrivateCluster> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-pg-'));
  if (asRoot) {
    const { uid, gid } = await postgresIds();
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const port = await freePort();
  const exec = async (tool: string, args: string[]) => {
    const file = path.join(bin, tool);
    try {
      await (asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: dir }) : run(file, args, { cwd: dir }));
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`private-postgres: ${tool} ${args.join(' ')} failed: ${e.stderr || e.message}`);
    }
  };
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
  await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const start = () => exec('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', options, 'start']);
  await start();
  return {
    port,
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    restart: () => exec('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-m', 'fast', '-o', options, 'restart']),
    stop: () => exec('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'fast', 'stop']),
    start,
    async destroy() {
      await exec('pg_ctl', ['-D', data, '-w', '-t', '30', '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
