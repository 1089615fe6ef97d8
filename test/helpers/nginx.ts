import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface RunningNginx {
  url: string;
  stop(): void;
}

/**
 * nginx (Debian's package) in the foreground as the current user, round-robin over `upstreams`
 * ("host:port"), with the settings docs/deploy.md recommends; everything it writes goes to `dir`.
 */
export async function startNginx(dir: string, upstreams: string[], port?: number): Promise<RunningNginx> {
  port ??= await freePort();
  const conf = path.join(dir, `nginx-${port}.conf`);
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${dir}/nginx-${port}.pid;
error_log ${dir}/error-${port}.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream evident { ${upstreams.map((u) => `server ${u} max_fails=1 fail_timeout=5s;`).join(' ')} keepalive 16; }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 12m;
    location / {
      proxy_pass http://evident;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
`,
  );
  const child: ChildProcess = spawn('nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 250; i++) {
    if ((await fetch(`${url}/livez`).catch(() => null))?.status === 200) return { url, stop: () => void child.kill('SIGTERM') };
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  throw new Error('nginx did not answer');
}
