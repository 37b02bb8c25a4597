// nginx (Debian package) in front of several of our proxy instances, as deploy/nginx.conf does
// in production: one WebSocket location load-balanced over the instances, static files from any.
// Runs in the foreground from a private prefix on a free loopback port; stop() ends it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, startProcess, waitFor } from '../../scripts/lib/proc.mjs';
import net from 'node:net';

export interface NginxHandle {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** `balance` 'round_robin' spreads even one session's channels over the instances (they share no state) */
export async function startNginx(upstreamPorts: number[], balance: 'round_robin' | 'hash_token' = 'round_robin'): Promise<NginxHandle> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spice-web-nginx-'));
  for (const d of ['tmp', 'logs']) mkdirSync(path.join(dir, d));
  const port = await findFreePort();
  const servers = upstreamPorts.map((p) => `    server 127.0.0.1:${p};`).join('\n');
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log error;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  map $http_upgrade $conn_upgrade { default upgrade; '' close; }
  upstream ws_pool {
${balance === 'hash_token' ? '    hash $arg_token consistent;\n' : ''}${servers}
  }
  upstream http_pool {
${servers}
  }
  server {
    listen 127.0.0.1:${port};
    location = /ws {
      proxy_pass http://ws_pool;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $conn_upgrade;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
    location / {
      proxy_pass http://http_pool;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
    }
  }
}
`,
  );
  const proc = startProcess('/usr/sbin/nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { name: 'nginx' });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      }),
    { timeout: 10_000, what: 'nginx to listen' },
  );
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      await proc.stop(3000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
