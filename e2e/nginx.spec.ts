// Issue 4: the client reaches a real Xspice through nginx (Debian package) load-balancing two of
// our proxy instances, for a plain SPICE port and for a TLS port verified against the test's CA.
import { readFileSync } from 'node:fs';
import { test, expect, showPattern, startXspice } from './harness/index';
import { startClientProxy, openClient, waitForExactMatch, clientStatus } from './harness/client';
import { startNginx } from './harness/nginx';

async function connectionsTotal(url: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith('spice_web_proxy_connections_total')) n += Number(line.split(/\s+/).pop());
  return n;
}

for (const tls of [false, true]) {
  test(`client → nginx → two proxy instances → Xspice ${tls ? 'TLS port (CA-verified)' : 'plain port'}: exact frame`, async ({ page }) => {
    const xs = await startXspice(tls ? { tlsPort: true } : {});
    const target = tls ? { host: '127.0.0.1', port: xs.tlsPort!, tls: { ca: readFileSync(xs.caCertFile!, 'utf8') } } : `127.0.0.1:${xs.port}`;
    const a = await startClientProxy({ port: 0 }, { target, trustedProxies: ['127.0.0.1'] });
    const b = await startClientProxy({ port: 0 }, { target, trustedProxies: ['127.0.0.1'] });
    const nginx = await startNginx([a.port, b.port]);
    try {
      await showPattern(xs);
      await openClient(page, nginx.url);
      await expect.poll(async () => (await clientStatus(page)).state).toBe('connected');
      const m = await waitForExactMatch(page, xs);
      expect(m.ok, m.detail).toBe(true);
      // stateless instances: round robin spread this one session's channels over both
      const [na, nb] = [await connectionsTotal(a.url), await connectionsTotal(b.url)];
      console.log(`[nginx ${tls ? 'tls' : 'plain'}] channel connections per instance: ${na} + ${nb}`);
      expect(na).toBeGreaterThan(0);
      expect(nb).toBeGreaterThan(0);
    } finally {
      await nginx.stop();
      await a.close();
      await b.close();
      await xs.stop();
    }
  });
}
