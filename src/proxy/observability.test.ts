import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLogger, memoryLogger, sanitizeFields } from './log.js';
import { ProxyMetrics } from './metrics.js';
import { eventsOf, parseRecording, readRecording, RecordingFormatError, RecordKind, streamOf } from './recording.js';
import { startProxy } from './server.js';
import { countingServer, openWs, tempDir, waitFor, wsOutcome } from './testing/helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (b += c));
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
}

describe('logs', () => {
  it('writes one JSON object per line with time, level and event; filters by level', () => {
    const lines: string[] = [];
    const log = jsonLogger({ write: (l) => lines.push(l), level: 'info', now: () => new Date(0) });
    log.log('debug', 'hidden');
    log.log('info', 'connection', { conn: 1, client: '127.0.0.1', missing: undefined });
    log.log('error', 'boom');
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'info', event: 'connection', conn: 1, client: '127.0.0.1' });
  });

  it('redacts fields named like secrets, whatever a caller passes', () => {
    expect(sanitizeFields({ token: 'abc', password: 'p', ticket: 't', jwtSecret: 's', tokenRef: 'ok', target: 'h:1' })).toEqual({
      token: '[redacted]', password: '[redacted]', ticket: '[redacted]', jwtSecret: '[redacted]', tokenRef: 'ok', target: 'h:1',
    });
  });

  it('a whole session through the proxy logs no token, ticket or password bytes', async () => {
    const echo = await countingServer();
    const t = tempDir();
    const f = path.join(t.dir, 'tokens');
    writeFileSync(f, `vm-7f3a9c: 127.0.0.1:${echo.port}\n`);
    const lines: string[] = [];
    const p = await startProxy({ listen: 0, tokens: f, logger: jsonLogger({ write: (l) => lines.push(l), level: 'debug' }) });
    cleanups.push(t.cleanup, () => echo.close());
    // a SPICE ticket travels inside the relayed bytes: it must not be logged either
    await wsOutcome(`${p.wsUrl}?token=vm-7f3a9c`, [], {}, (ws) => {
      ws.send(Buffer.from('password=hunter2-ticket'));
      ws.once('message', () => ws.close());
    });
    await wsOutcome(`${p.wsUrl}?token=wrong-guess-123`);
    await p.close();
    const all = lines.join('');
    for (const l of lines) JSON.parse(l);
    expect(all).not.toContain('vm-7f3a9c');
    expect(all).not.toContain('wrong-guess-123');
    expect(all).not.toContain('hunter2');
    const events = lines.map((l) => JSON.parse(l).event);
    expect(events).toEqual(expect.arrayContaining(['listening', 'connection', 'target_connected', 'closed', 'refused', 'stopped']));
  });
});

describe('metrics', () => {
  it('renders the Prometheus text format', () => {
    const m = new ProxyMetrics();
    m.connectionsCurrent = 2;
    m.connectionsTotal = 5;
    m.bytesClientToTarget = 10;
    m.error('origin');
    const text = m.render();
    expect(text).toMatch(/^# HELP spice_web_proxy_connections_current .+\n# TYPE spice_web_proxy_connections_current gauge\nspice_web_proxy_connections_current 2\n/);
    expect(text).toContain('spice_web_proxy_connections_total 5\n');
    expect(text).toContain('spice_web_proxy_bytes_total{direction="client_to_target"} 10\n');
    expect(text).toContain('spice_web_proxy_errors_total{kind="origin"} 1\n');
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{\w+="[a-z_]+"\})? \d+)$/);
  });

  it('/metrics counts connections, bytes each way and errors by kind', async () => {
    const echo = await countingServer();
    cleanups.push(() => echo.close());
    const p = await startProxy({ listen: 0, target: { host: '127.0.0.1', port: echo.port }, logger: 'silent' });
    cleanups.push(() => p.close());
    const ws = await openWs(p.wsUrl);
    let got = 0;
    ws.on('message', (d: Buffer) => (got += d.length));
    ws.send(randomBytes(1000));
    await waitFor(() => got === 1000, 'echo');
    let text = await getText(`${p.url}metrics`);
    expect(text).toContain('spice_web_proxy_connections_current 1\n');
    expect(text).toContain('spice_web_proxy_bytes_total{direction="client_to_target"} 1000\n');
    expect(text).toContain('spice_web_proxy_bytes_total{direction="target_to_client"} 1000\n');
    ws.close();
    await waitFor(() => p.connections().length === 0, 'closed');
    await wsOutcome(p.wsUrl, [], { origin: 'http://evil.example' });
    text = await getText(`${p.url}metrics`);
    expect(text).toContain('spice_web_proxy_connections_current 0\n');
    expect(text).toContain('spice_web_proxy_connections_total 1\n');
    expect(text).toContain('spice_web_proxy_errors_total{kind="origin"} 1\n');
  });

  it('can be turned off', async () => {
    const p = await startProxy({ listen: 0, target: '127.0.0.1:1', metrics: false, logger: 'silent' });
    cleanups.push(() => p.close());
    expect(await getText(`${p.url}metrics`)).not.toContain('spice_web_proxy');
  });
});

describe('recording', () => {
  it('writes one file per connection with both directions, timestamps and the close event', async () => {
    const srv = await countingServer((s) => {
      s.write(Buffer.from('SERVER-HELLO'));
      s.on('data', (d: Buffer) => {
        s.write(Buffer.concat([Buffer.from('re:'), d]));
        if (d.toString() === 'bye') s.end();
      });
    });
    const t = tempDir();
    cleanups.push(t.cleanup, () => srv.close());
    const p = await startProxy({ listen: 0, target: { host: '127.0.0.1', port: srv.port }, recordDir: t.dir, logger: 'silent' });
    cleanups.push(() => p.close());
    const o = await wsOutcome(p.wsUrl, ['binary'], {}, (ws) => {
      let n = 0;
      ws.on('message', () => {
        n++;
        if (n === 1) ws.send(Buffer.from('one'));
        if (n === 2) ws.send(Buffer.from('bye'));
      });
    });
    expect(o.code).toBe(1000);
    await waitFor(() => readdirSync(t.dir).length === 1, 'recording file');
    const file = path.join(t.dir, readdirSync(t.dir)[0]!);
    expect(file).toMatch(/-c1\.spicerec$/);
    let rec = await readRecording(file);
    await waitFor(async () => {
      rec = await readRecording(file);
      return eventsOf(rec).length > 0;
    }, 'close event on disk');
    expect(rec.meta).toMatchObject({ version: 1, conn: 1, target: `127.0.0.1:${srv.port}`, tls: false, subprotocol: 'binary' });
    expect(rec.truncated).toBe(false);
    expect(streamOf(rec, RecordKind.ClientToServer).toString()).toBe('onebye');
    expect(streamOf(rec, RecordKind.ServerToClient).toString()).toBe('SERVER-HELLOre:onere:bye');
    const times = rec.records.map((r) => r.timeUs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(eventsOf(rec)).toEqual([{ type: 'close', by: 'target', code: 1000, reason: 'target closed the connection' }]);
  });

  it('parses a file cut short up to its last complete record, and refuses foreign files', async () => {
    const srv = await countingServer();
    const t = tempDir();
    cleanups.push(t.cleanup, () => srv.close());
    const p = await startProxy({ listen: 0, target: { host: '127.0.0.1', port: srv.port }, recordDir: t.dir, logger: 'silent' });
    const ws = await openWs(p.wsUrl);
    let got = 0;
    ws.on('message', (d: Buffer) => (got += d.length));
    ws.send(Buffer.alloc(100, 1));
    await waitFor(() => got === 100, 'echo');
    ws.send(Buffer.alloc(50, 2));
    await waitFor(() => got === 150, 'echo 2');
    ws.close();
    await p.close();
    const file = path.join(t.dir, readdirSync(t.dir)[0]!);
    const { readFile } = await import('node:fs/promises');
    const whole = await readFile(file);
    const full = parseRecording(whole);
    expect(full.records.filter((r) => r.kind !== RecordKind.Event).map((r) => [r.kind, r.data.length])).toEqual([[1, 100], [2, 100], [1, 50], [2, 50]]);
    const cut = parseRecording(whole.subarray(0, whole.length - 5));
    expect(cut.truncated).toBe(true);
    expect(cut.records.length).toBe(full.records.length - 1);
    expect(() => parseRecording(Buffer.from('not a recording at all'))).toThrow(RecordingFormatError);
  });

  it('a recording failure never breaks the relay', async () => {
    const srv = await countingServer();
    cleanups.push(() => srv.close());
    const log = memoryLogger();
    const p = await startProxy({ listen: 0, target: { host: '127.0.0.1', port: srv.port }, recordDir: '/nonexistent/dir/for/recordings', logger: log });
    cleanups.push(() => p.close());
    const o = await wsOutcome(p.wsUrl, [], {}, (ws) => {
      ws.send(Buffer.from('still works'));
      ws.once('message', () => ws.close());
    });
    expect(Buffer.concat(o.messages).toString()).toBe('still works');
    await waitFor(() => p.metrics.errors.get('record')! >= 1, 'record error counted');
  });
});
