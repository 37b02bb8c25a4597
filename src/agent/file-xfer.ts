/**
 * File transfer to the guest over the agent (spice-protocol.md §4.6; spice-gtk
 * spice-file-transfer-task.c): FILE_XFER_START names the file, the agent answers CAN_SEND_DATA,
 * FILE_XFER_DATA records follow, the agent ends with SUCCESS or an error; the client cancels with
 * FILE_XFER_STATUS CANCELLED. Data is read 64 KiB at a time (spice-gtk's record size) and only
 * while the agent send queue is short, so a 50 MB file never sits in memory whole.
 */
import { Emitter } from '../common/emitter';
import { ErrorDetails, ErrorTypes, type SpiceError } from '../common/errors';
import {
  VDAgentCap, VDAgentFileXferStatus as St, VDAgentType, buildFileXferData, buildFileXferStart, buildFileXferStatus, fileXferKeyFile,
  parseFileXferStatus, type AgentMessage,
} from '../protocol/agent';
import type { AgentConnection } from './connection';

/** what is sent: a File or Blob with a name (structural, so the agent layer needs no DOM) */
export interface FileSource {
  readonly name: string;
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export type TransferEvents = {
  progress: { id: number; name: string; size: number; sent: number };
  done: { id: number; name: string; size: number };
  failed: { id: number; name: string; cancelled: boolean; error: SpiceError };
};

const RECORD = 64 * 1024;
/** keep at most this much queued behind the agent tokens */
const HIGH_WATER = 256 * 1024;

interface Transfer {
  id: number;
  file: FileSource;
  sent: number;
  state: 'starting' | 'sending' | 'finishing';
  reading: boolean;
  resolve: () => void;
  reject: (e: SpiceError) => void;
}

export class FileTransfers {
  readonly ev = new Emitter<TransferEvents>();
  private next = 1;
  private active = new Map<number, Transfer>();
  private off: Array<() => void> = [];

  constructor(private readonly agent: AgentConnection) {
    this.off.push(
      agent.ev.on('message', (m) => this.onMessage(m)),
      agent.ev.on('drain', () => this.pump()),
      agent.ev.on('state', (s) => {
        if (!s.connected) for (const t of [...this.active.values()]) this.fail(t, St.VDAGENT_NOT_CONNECTED, 'the guest agent went away');
      }),
    );
  }

  /** transfers in progress */
  get ids(): number[] {
    return [...this.active.keys()];
  }

  send(file: FileSource): Promise<void> {
    const a = this.agent;
    if (!a.connected || a.has(VDAgentCap.FILE_XFER_DISABLED)) {
      const error = this.error(ErrorDetails.AGENT_UNAVAILABLE, `file transfer of ${file.name}: ${a.connected ? 'disabled in the guest' : 'no guest agent'}`);
      return Promise.reject(error);
    }
    const id = this.next++;
    return new Promise<void>((resolve, reject) => {
      this.active.set(id, { id, file, sent: 0, state: 'starting', reading: false, resolve, reject });
      a.send(VDAgentType.FILE_XFER_START, buildFileXferStart(id, new TextEncoder().encode(fileXferKeyFile(file.name, file.size))));
    });
  }

  /** cancel one transfer (or all): the agent drops the partial file */
  cancel(id?: number): void {
    for (const t of [...this.active.values()]) {
      if (id !== undefined && t.id !== id) continue;
      this.agent.send(VDAgentType.FILE_XFER_STATUS, buildFileXferStatus(t.id, St.CANCELLED));
      this.fail(t, St.CANCELLED, 'cancelled');
    }
  }

  dispose(): void {
    for (const f of this.off) f();
    this.off = [];
  }

  private onMessage(m: AgentMessage): void {
    if (m.type !== VDAgentType.FILE_XFER_STATUS) return;
    const s = parseFileXferStatus(m.data);
    const t = this.active.get(s.id);
    if (!t) return; // a transfer we already ended (cancelled)
    switch (s.result) {
      case St.CAN_SEND_DATA:
        t.state = 'sending';
        this.pump();
        return;
      case St.SUCCESS:
        this.active.delete(t.id);
        this.ev.emit('done', { id: t.id, name: t.file.name, size: t.file.size });
        t.resolve();
        return;
      case St.NOT_ENOUGH_SPACE:
        this.fail(t, s.result, `not enough space in the guest${s.diskFree !== undefined ? ` (${s.diskFree} bytes free)` : ''}`);
        return;
      default: {
        const why: Record<number, string> = {
          [St.CANCELLED]: 'cancelled in the guest', [St.ERROR]: `the guest failed to write it${s.errorCode !== undefined ? ` (error ${s.errorType}/${s.errorCode})` : ''}`,
          [St.SESSION_LOCKED]: 'the guest session is locked', [St.VDAGENT_NOT_CONNECTED]: 'no agent in the guest session', [St.DISABLED]: 'file transfer is disabled in the guest',
        };
        this.fail(t, s.result, why[s.result] ?? `status ${s.result}`);
      }
    }
  }

  /** feed data records while the agent queue is short */
  private pump(): void {
    for (const t of this.active.values()) {
      if (t.state !== 'sending' || t.reading || this.agent.queuedBytes >= HIGH_WATER) continue;
      if (t.sent >= t.file.size) {
        t.state = 'finishing'; // the agent says SUCCESS once it has written everything
        continue;
      }
      t.reading = true;
      const end = Math.min(t.file.size, t.sent + RECORD);
      t.file.slice(t.sent, end).arrayBuffer().then(
        (buf) => {
          t.reading = false;
          if (this.active.get(t.id) !== t) return; // cancelled meanwhile
          this.agent.send(VDAgentType.FILE_XFER_DATA, buildFileXferData(t.id, new Uint8Array(buf)));
          t.sent = end;
          this.ev.emit('progress', { id: t.id, name: t.file.name, size: t.file.size, sent: t.sent });
          this.pump();
        },
        (e: unknown) => {
          t.reading = false;
          this.agent.send(VDAgentType.FILE_XFER_STATUS, buildFileXferStatus(t.id, St.CANCELLED));
          this.fail(t, St.ERROR, `cannot read the file: ${e instanceof Error ? e.message : String(e)}`);
        },
      );
    }
  }

  private fail(t: Transfer, result: number, why: string): void {
    if (!this.active.delete(t.id)) return;
    const details = result === St.NOT_ENOUGH_SPACE ? ErrorDetails.FILE_TRANSFER_NO_SPACE : ErrorDetails.FILE_TRANSFER_FAILED;
    const error = this.error(details, `file transfer of ${t.file.name}: ${why}`);
    this.ev.emit('failed', { id: t.id, name: t.file.name, cancelled: result === St.CANCELLED, error });
    t.reject(error);
  }

  private error(details: SpiceError['details'], message: string): SpiceError {
    return { type: ErrorTypes.AGENT_ERROR, details, fatal: false, message, channel: { channelType: 1, channelId: 0 } };
  }
}
