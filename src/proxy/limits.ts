// Connection caps: per client address, per token, and overall.

export interface LimitOptions {
  /** Concurrent connections per client address (0 = unlimited). */
  perClient: number;
  /** Concurrent connections per token (0 = unlimited). */
  perToken: number;
  /** Concurrent connections in total (0 = unlimited). */
  total: number;
}

export type Acquired = { ok: true; release: () => void } | { ok: false; reason: string };

export class ConnectionLimiter {
  private readonly byClient = new Map<string, number>();
  private readonly byToken = new Map<string, number>();
  private count = 0;

  constructor(private readonly opts: LimitOptions) {}

  get current(): number {
    return this.count;
  }

  /** Takes a slot for a connection from `client` using `tokenKey` (null: no token). */
  acquire(client: string, tokenKey: string | null): Acquired {
    const { perClient, perToken, total } = this.opts;
    if (total > 0 && this.count >= total) return { ok: false, reason: 'too many connections to this proxy' };
    if (perClient > 0 && (this.byClient.get(client) ?? 0) >= perClient) return { ok: false, reason: 'too many connections from this address' };
    if (tokenKey !== null && perToken > 0 && (this.byToken.get(tokenKey) ?? 0) >= perToken) {
      return { ok: false, reason: 'too many connections with this token' };
    }
    this.count++;
    inc(this.byClient, client, 1);
    if (tokenKey !== null) inc(this.byToken, tokenKey, 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.count--;
        inc(this.byClient, client, -1);
        if (tokenKey !== null) inc(this.byToken, tokenKey, -1);
      },
    };
  }
}

function inc(m: Map<string, number>, k: string, d: number): void {
  const v = (m.get(k) ?? 0) + d;
  if (v <= 0) m.delete(k);
  else m.set(k, v);
}
