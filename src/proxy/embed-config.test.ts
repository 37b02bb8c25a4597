import { describe, expect, it } from 'vitest';
import { parseArgs, serveOptions, UsageError, type ServeArgs } from './cli.js';
import { kioskChromiumArgs, kioskUrl, parseKiosk, type KioskArgs } from './cli-kiosk.js';
import { embedConfigBody, EmbedConfigError, frameAncestorsPolicy, makeEmbedConfig, normalizeParentOrigin } from './embed-config.js';

describe('embed configuration', () => {
  it('normalises origins', () => {
    expect(normalizeParentOrigin('HTTPS://Portal.Example:443')).toBe('https://portal.example');
    expect(normalizeParentOrigin('http://127.0.0.1:8081/')).toBe('http://127.0.0.1:8081');
  });

  it.each(['*', 'https://*.example.com', 'https://portal.example/app', 'javascript:alert(1)', 'file:///x', 'portal.example', 'https://a@portal.example', 'https://portal.example/?x', "https://p.example 'unsafe-inline'"])(
    'refuses %j',
    (o) => {
      expect(() => normalizeParentOrigin(o)).toThrow(EmbedConfigError);
    },
  );

  it('builds the CSP and the page config from one list', () => {
    const c = makeEmbedConfig(['https://a.example', 'https://A.example:443', 'http://b.example:8081'], true);
    expect(frameAncestorsPolicy(c)).toBe("frame-ancestors 'self' https://a.example http://b.example:8081");
    expect(JSON.parse(embedConfigBody(c))).toEqual({ version: 1, parentOrigins: ['https://a.example', 'http://b.example:8081'], addressRequests: true });
    expect(frameAncestorsPolicy(makeEmbedConfig(undefined, false))).toBe("frame-ancestors 'self'");
  });

  it('serve --frame-ancestor goes into the proxy options; a bad one is a usage error', () => {
    const a = parseArgs(['serve', '--target', 'h:1', '--frame-ancestor', 'https://portal.example', '--frame-ancestor', 'http://127.0.0.1:8081']) as ServeArgs;
    expect(serveOptions(a).frameAncestors).toEqual(['https://portal.example', 'http://127.0.0.1:8081']);
    expect(() => parseArgs(['serve', '--target', 'h:1', '--frame-ancestor', '*'])).toThrow(UsageError);
  });
});

describe('spice-web kiosk', () => {
  it('adds kiosk=1 and takes http(s) only', () => {
    expect(kioskUrl('http://127.0.0.1:8080/?token=vm1')).toBe('http://127.0.0.1:8080/?token=vm1&kiosk=1');
    expect(kioskUrl('https://h/?kiosk=0')).toBe('https://h/?kiosk=1');
    expect(() => kioskUrl('file:///etc/passwd')).toThrow(UsageError);
    expect(() => kioskUrl('nope')).toThrow(UsageError);
  });

  it('parses its options and builds a kiosk command line', () => {
    const a = parseKiosk(['--chromium', '/opt/c', '--window-size', '800,600', 'http://h:8080/', '--', '--disable-gpu'], {}) as KioskArgs;
    expect(a).toMatchObject({ chromium: '/opt/c', windowSize: '800,600', url: 'http://h:8080/?kiosk=1', extra: ['--disable-gpu'] });
    const args = kioskChromiumArgs(a, '/tmp/p', true);
    expect(args).toEqual(expect.arrayContaining(['--kiosk', '--no-first-run', '--user-data-dir=/tmp/p', '--window-size=800,600', '--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-gpu']));
    expect(args.at(-1)).toBe('http://h:8080/?kiosk=1');
    expect(kioskChromiumArgs(a, '/tmp/p', false)).not.toContain('--no-sandbox');
    expect((parseKiosk(['http://h/'], { CHROMIUM_PATH: '/x/chromium' }) as KioskArgs).chromium).toBe('/x/chromium');
  });

  it.each([[[]], [['--window-size', 'big', 'http://h/']], [['http://a/', 'http://b/']], [['--bogus', 'http://h/']]])('rejects %j', (argv) => {
    expect(() => parseKiosk(argv, {})).toThrow(UsageError);
  });
});
