// Counters and gauges exposed at /metrics in the Prometheus text exposition format (0.0.4).

/** Why a connection was refused or ended abnormally; the `kind` label of spice_web_proxy_errors_total. */
export type ErrorKind =
  | 'bad_request' // malformed upgrade: wrong subprotocol, bad query
  | 'origin' // Origin not in the allowlist
  | 'token' // unknown token, bad signature, expired, wrong alg...
  | 'destination' // migration destination not allowed by the token
  | 'limit' // a connection cap was reached
  | 'target_unreachable' // TCP connect to the target failed or timed out
  | 'target_tls' // TLS to the target failed verification (CA, subject)
  | 'target_config' // the target's TLS settings are unusable (unreadable CA file...)
  | 'target_error' // the established target connection failed
  | 'client_error' // WebSocket protocol error from the browser side
  | 'payload' // a frame larger than maxPayload
  | 'heartbeat' // no pong in time
  | 'idle' // idle timeout
  | 'record'; // recording dropped (disk too slow or unwritable)

export const ERROR_KINDS: readonly ErrorKind[] = [
  'bad_request', 'origin', 'token', 'destination', 'limit', 'target_unreachable', 'target_tls',
  'target_config', 'target_error', 'client_error', 'payload', 'heartbeat', 'idle', 'record',
];

export class ProxyMetrics {
  connectionsCurrent = 0;
  connectionsTotal = 0;
  /** Browser -> SPICE server. */
  bytesClientToTarget = 0;
  /** SPICE server -> browser. */
  bytesTargetToClient = 0;
  /** Times the target socket was paused because the browser read too slowly. */
  pausesTarget = 0;
  /** Times the WebSocket was paused because the target read too slowly. */
  pausesClient = 0;
  readonly errors = new Map<ErrorKind, number>(ERROR_KINDS.map((k) => [k, 0]));

  error(kind: ErrorKind): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  render(): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of samples) lines.push(`${name}${labels} ${v}`);
    };
    metric('spice_web_proxy_connections_current', 'gauge', 'WebSocket connections currently relayed to a target.', [
      ['', this.connectionsCurrent],
    ]);
    metric('spice_web_proxy_connections_total', 'counter', 'WebSocket connections relayed to a target since start.', [
      ['', this.connectionsTotal],
    ]);
    metric('spice_web_proxy_bytes_total', 'counter', 'Payload bytes relayed, by direction.', [
      ['{direction="client_to_target"}', this.bytesClientToTarget],
      ['{direction="target_to_client"}', this.bytesTargetToClient],
    ]);
    metric('spice_web_proxy_backpressure_pauses_total', 'counter', 'Times one side was paused because the other read too slowly.', [
      ['{paused="target"}', this.pausesTarget],
      ['{paused="client"}', this.pausesClient],
    ]);
    metric('spice_web_proxy_errors_total', 'counter', 'Refused or abnormally ended connections, by kind.',
      [...this.errors].map(([k, v]) => [`{kind="${k}"}`, v] as [string, number]));
    return `${lines.join('\n')}\n`;
  }
}
