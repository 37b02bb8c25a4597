/**
 * The link stage of one SPICE connection (spice-protocol.md §1): SpiceLinkMess out, link header
 * and reply in, auth mechanism, the RSA-OAEP ticket, the auth result. A channel runs it on its
 * own connection at start and on relink, and on a second connection to a migration destination
 * while it keeps running on the source (§3.5). Bytes that follow the auth result belong to the
 * data phase and are handed back.
 */
import { hasCap } from '../protocol/caps';
import { CommonCap, LinkErr, linkErrText } from '../protocol/enums';
import { SpiceProtocolError } from '../protocol/errors';
import { ByteQueue } from '../protocol/framing';
import { LINK_HEADER_SIZE, buildAuthMechanism, buildLinkMess, encryptTicket, parseLinkHeader, parseLinkReply, type RsaOaepEncrypt } from '../protocol/link';

export const COMMON_CAPS = [CommonCap.PROTOCOL_AUTH_SELECTION, CommonCap.AUTH_SPICE, CommonCap.MINI_HEADER];

export interface LinkParams {
  connectionId: number;
  channelType: number;
  channelId: number;
  channelCaps: number[];
  password: string;
  encrypt: RsaOaepEncrypt;
}

export interface LinkResult {
  serverCommonCaps: number[];
  serverChannelCaps: number[];
  miniHeader: boolean;
  /** data-phase bytes that came with the auth result */
  rest: Uint8Array;
  /**
   * ms from our ticket to the server's auth result: the one request/answer of the protocol a
   * client can time (PING is server → client only), so the round trip the stats show
   */
  roundTripMs: number;
}

export type LinkPhase = 'link-header' | 'link-reply' | 'auth' | 'auth-result' | 'done' | 'failed';

export class LinkStage {
  phase: LinkPhase = 'link-header';
  private readonly q = new ByteQueue();
  private size = 0;
  private commonCaps: number[] = [];
  private channelCaps: number[] = [];
  private ticketAt = 0;

  constructor(
    private readonly send: (b: Uint8Array) => void,
    private readonly params: LinkParams,
    private readonly done: (r: LinkResult) => void,
    private readonly fail: (e: unknown) => void,
  ) {}

  begin(): void {
    const p = this.params;
    this.send(buildLinkMess({ connectionId: p.connectionId, channelType: p.channelType, channelId: p.channelId, commonCaps: COMMON_CAPS, channelCaps: p.channelCaps }));
  }

  /** bytes from the server; throws SpiceProtocolError on a refusal or bad bytes */
  push(b: Uint8Array): void {
    this.q.push(b);
    this.step();
  }

  private step(): void {
    const q = this.q;
    for (;;) {
      if (this.phase === 'link-header') {
        if (q.length < LINK_HEADER_SIZE) return;
        this.size = parseLinkHeader(q.take(LINK_HEADER_SIZE)).size;
        this.phase = 'link-reply';
      } else if (this.phase === 'link-reply') {
        if (q.length < this.size) return;
        const reply = parseLinkReply(q.take(this.size));
        if (reply.error !== LinkErr.OK) throw linkFailure(reply.error);
        this.commonCaps = reply.commonCaps;
        this.channelCaps = reply.channelCaps;
        if (!hasCap(reply.commonCaps, CommonCap.AUTH_SPICE) && hasCap(reply.commonCaps, CommonCap.AUTH_SASL)) {
          throw new SpiceProtocolError('unsupported', 'the server only offers SASL authentication, which a browser client cannot do');
        }
        if (hasCap(reply.commonCaps, CommonCap.PROTOCOL_AUTH_SELECTION)) this.send(buildAuthMechanism(CommonCap.AUTH_SPICE));
        this.phase = 'auth';
        encryptTicket(this.params.encrypt, reply.pubKey, this.params.password).then(
          (ticket) => {
            if (this.phase !== 'auth') return;
            this.send(ticket);
            this.ticketAt = performance.now();
            this.phase = 'auth-result';
            try {
              this.step();
            } catch (e) {
              this.phase = 'failed';
              this.fail(e);
            }
          },
          (e) => {
            this.phase = 'failed';
            this.fail(e instanceof SpiceProtocolError ? e : new SpiceProtocolError('auth', `ticket encryption failed: ${String(e)}`));
          },
        );
        return;
      } else if (this.phase === 'auth-result') {
        if (q.length < 4) return;
        const res = q.take(4);
        const code = res[0]! | (res[1]! << 8) | (res[2]! << 16) | (res[3]! << 24);
        if (code !== LinkErr.OK) throw linkFailure(code);
        this.phase = 'done';
        this.done({ serverCommonCaps: this.commonCaps, serverChannelCaps: this.channelCaps, miniHeader: hasCap(this.commonCaps, CommonCap.MINI_HEADER), rest: q.take(q.length), roundTripMs: performance.now() - this.ticketAt });
        return;
      } else return; // 'auth': the ticket is being encrypted; 'done'/'failed': nothing more
    }
  }
}

export function linkFailure(code: number): SpiceProtocolError {
  const err = new SpiceProtocolError(code === LinkErr.PERMISSION_DENIED ? 'auth' : 'link', linkErrText(code));
  (err as SpiceProtocolError & { linkError: number }).linkError = code;
  return err;
}

export function linkErrorOf(e: unknown): number | undefined {
  return (e as { linkError?: number } | null)?.linkError;
}
