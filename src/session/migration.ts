/**
 * Live migration (spice-protocol.md §3.5; spice-gtk channel-main.c is the reference client).
 *
 * Seamless: on MIGRATE_BEGIN_SEAMLESS the main channel links a second connection to the
 * destination (with the current session id) and does the DST_DO_SEAMLESS handshake there; then
 * every other channel (display workers, inputs, cursor) links its own second connection; the
 * source hears MIGRATE_CONNECTED_SEAMLESS. When the VM has moved the source sends MIGRATE on each
 * channel and each switches over by itself, keeping its state (surfaces, caches, GLZ window,
 * cursor cache), so the user sees nothing happen.
 *
 * Semi-seamless (plain MIGRATE_BEGIN) would need every channel reset and re-initialised on
 * MIGRATE_END; we answer MIGRATE_CONNECT_ERROR instead, and spice-server then sends
 * MIGRATE_SWITCH_HOST when the VM has moved, which we follow by connecting to the destination
 * from scratch (the last frame stays meanwhile). Any failure leaves the session on the source.
 */
import { Emitter } from '../common/emitter';
import type { MainChannel } from '../channels/main-channel';
import { ChannelType, MsgcMain } from '../protocol/enums';
import type { ChannelId, MigrateDstInfo } from '../protocol/main';
import type { Migratable, SessionContext, SessionFeature } from './types';

/** how long the destination may take to link every channel before we give up (stay on the source) */
export const MIGRATION_LINK_TIMEOUT_MS = 15_000;

export type MigrationEvents = {
  /** the source announced a migration to `target`; channels are linking there */
  begin: { target: string; seamless: boolean };
  /** every channel linked to the destination; the source was told */
  connected: { target: string; channels: number };
  /** every channel now runs on the destination */
  completed: { target: string };
  /** the migration could not be prepared (the session stays on the source) */
  failed: { target: string; reason: string };
  /** the source cancelled it */
  cancelled: void;
  /** the VM moved and the source told us to connect there from scratch */
  switchHost: { target: string };
};

export function targetOf(dst: MigrateDstInfo): string {
  const host = dst.host.includes(':') && !dst.host.startsWith('[') ? `[${dst.host}]` : dst.host;
  return `${host}:${dst.port}`;
}

export class MigrationFeature implements SessionFeature {
  readonly ev = new Emitter<MigrationEvents>();
  private ctx: SessionContext | null = null;
  private offs: Array<() => void> = [];
  private prepared: Migratable[] = [];
  private switching = 0;
  private target = '';
  /** the destination rejected or the handshake failed: why (for tests and the status line) */
  lastFailure: string | null = null;

  start(ctx: SessionContext): void {
    this.detach();
    this.ctx = ctx;
    const main = ctx.main;
    this.offs.push(
      main.ev.on('migrateBegin', (b) => void this.begin(main, targetOf(b.dst), b.seamless, b.srcVersion)),
      main.ev.on('migrateCancel', () => {
        this.cancelAll();
        this.ev.emit('cancelled', undefined);
      }),
      main.ev.on('switchHost', (dst) => {
        const target = targetOf(dst);
        this.ev.emit('switchHost', { target });
        ctx.switchHost(target);
      }),
      main.ev.on('migrated', () => this.switched()),
    );
  }

  channels(_list: readonly ChannelId[]): void {}

  stop(): void {
    this.cancelAll();
    this.detach();
  }

  suspend(): void {
    this.stop();
  }

  private detach(): void {
    for (const off of this.offs) off();
    this.offs = [];
    this.ctx = null;
  }

  private async begin(main: MainChannel, target: string, seamless: boolean, srcVersion: number): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    this.cancelAll();
    this.target = target;
    this.ev.emit('begin', { target, seamless });
    const others = ctx.migratables();
    try {
      if (!seamless) throw new Error('semi-seamless migration is not supported; the server will switch host');
      await withTimeout(main.prepareMigration(ctx.transportTo(ChannelType.MAIN, 0, target), ctx.connectionId), 'the destination main channel');
      if (!(await withTimeout(main.seamlessHandshake(srcVersion), 'the seamless handshake'))) throw new Error('the destination refused seamless migration');
      this.prepared = others;
      await withTimeout(Promise.all(others.map((m) => m.prepare(target, ctx.connectionId).catch((e: unknown) => {
        throw new Error(`${m.label}: ${e instanceof Error ? e.message : String(e)}`);
      }))), 'the destination channels');
      if (this.ctx !== ctx) return;
      this.switching = others.length + 1;
      main.send(MsgcMain.MIGRATE_CONNECTED_SEAMLESS);
      this.ev.emit('connected', { target, channels: others.length + 1 });
    } catch (e) {
      if (this.ctx !== ctx) return;
      this.lastFailure = e instanceof Error ? e.message : String(e);
      main.cancelMigration();
      this.cancelAll();
      main.send(MsgcMain.MIGRATE_CONNECT_ERROR);
      this.ev.emit('failed', { target, reason: this.lastFailure });
    }
  }

  /** the main channel switched; the others switch on their own MIGRATE */
  private switched(): void {
    if (!this.switching) return;
    this.switching = 0;
    this.prepared = [];
    this.ev.emit('completed', { target: this.target });
  }

  private cancelAll(): void {
    for (const m of this.prepared) m.cancel();
    this.prepared = [];
    this.switching = 0;
    this.ctx?.main.cancelMigration();
  }
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${MIGRATION_LINK_TIMEOUT_MS / 1000} s`)), MIGRATION_LINK_TIMEOUT_MS);
    }),
  ]);
}
