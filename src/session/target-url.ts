/**
 * The proxy URL for a connection to another server than the session's default: our proxy (and
 * its token or JWT) decides whether `?migrate=host:port` may be reached (docs/proxy.md,
 * "Seamless migration"); the browser only names what the SPICE server told it.
 */
export function withTarget(url: string, target: string | null): string {
  if (!target) return url;
  const u = new URL(url);
  u.searchParams.set('migrate', target);
  return u.toString();
}
