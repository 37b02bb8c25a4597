// A Chromium in which one real-looking host name resolves to 127.0.0.1 (--host-resolver-rules):
// a page served over plain http under that name is NOT a secure context (127.0.0.1 and localhost
// count as secure), so no WebCrypto, WebCodecs or AudioWorklet, as behind a portal on plain http.
// Nothing leaves loopback.
import { chromium, type Browser, type TestInfo } from '@playwright/test';

export const INSECURE_HOST = 'spice-web.insecure.test';

/** launch that Chromium with the project's launch options (and `extraArgs`); the caller closes it */
export function launchInsecure(info: TestInfo, extraArgs: string[] = []): Promise<Browser> {
  const launch = info.project.use.launchOptions ?? {};
  return chromium.launch({ ...launch, args: [...(launch.args ?? []), `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`, ...extraArgs] });
}

/** `url` (a proxy URL on 127.0.0.1) under the insecure host name */
export function insecureUrl(url: string): string {
  const u = new URL(url);
  u.hostname = INSECURE_HOST;
  return u.href;
}
