// The polling bench's feeds as static files served by nginx, as the issue measured them ("10,000 feeds served
// by nginx"): the same generated feeds as feed-farm.ts, on the same kind of loopback hosts (one listen address
// per host, one port), nginx's own ETag and Last-Modified (from each file's size and mtime) and its 304s. A
// cycle rewrites a tenth of the files with a later mtime. Used when nginx is installed (Debian's `nginx` or
// `nginx-light`); the bench says so and goes on without it otherwise.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { changesIn, FEED_BASE_TIME, feedBody } from './feed-body.ts';

const ITEMS = 20;
const CHANGED = 0.1;

export interface NginxFarm {
  port: number;
  url(i: number): string;
  /** Changes a tenth of the feeds (a new item each); returns how many. */
  cycle(): number;
  /** Responses since the last reset, by status, from nginx's access log. */
  stats(): Promise<{ full: number; notModified: number; other: number }>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export function nginxBinary(): string | null {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) if (existsSync(p)) return p;
  const found = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function accepting(host: string, port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, host, () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nginx farm: nothing listens on ${host}:${port} after ${ms} ms; see its error.log.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startNginxFarm(opts: { feeds: number; hosts: number; hostAddress: (h: number) => string; dir: string }): Promise<NginxFarm | null> {
  const bin = nginxBinary();
  if (!bin) return null;
  const { feeds, hosts, hostAddress, dir } = opts;
  const www = path.join(dir, 'www');
  mkdirSync(path.join(www, 'f'), { recursive: true });
  mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const port = await freePort(hostAddress(0));
  const version = new Uint32Array(feeds);
  const url = (i: number) => `http://${hostAddress(i % hosts)}:${port}/f/${i}.xml`;
  const write = (i: number) => {
    const file = path.join(www, 'f', `${i}.xml`);
    writeFileSync(file, feedBody(i, version[i]!, `http://${hostAddress(i % hosts)}:${port}`, ITEMS));
    const t = new Date(FEED_BASE_TIME + version[i]! * 3_600_000);
    utimesSync(file, t, t);
  };
  for (let i = 0; i < feeds; i++) write(i);

  const log = path.join(dir, 'access.log');
  const listens = Array.from({ length: hosts }, (_, h) => `    listen ${hostAddress(h)}:${port};`).join('\n');
  const conf = `daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 65536;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 16384; }
http {
  log_format status '$status';
  access_log ${log} status buffer=64k flush=100ms;
  types { application/rss+xml xml; }
  default_type application/octet-stream;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  etag on;
  if_modified_since exact;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
${listens}
    root ${www};
  }
}
`;
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await accepting(hostAddress(0), port, 10_000);

  let cycles = 0;
  let logged = 0;
  const lines = async () => {
    await new Promise((r) => setTimeout(r, 300)); // the log is flushed every 100 ms
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(0, -1) : [];
  };
  return {
    port,
    url,
    cycle() {
      cycles++;
      let changed = 0;
      for (let i = 0; i < feeds; i++) {
        if (!changesIn(i, cycles, CHANGED)) continue;
        version[i]!++;
        write(i);
        changed++;
      }
      return changed;
    },
    async stats() {
      const all = (await lines()).slice(logged);
      const full = all.filter((s) => s === '200').length;
      const notModified = all.filter((s) => s === '304').length;
      return { full, notModified, other: all.length - full - notModified };
    },
    async reset() {
      logged = (await lines()).length;
    },
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
