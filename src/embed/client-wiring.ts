/**
 * How SpiceClient passes its features' events on: to the page as its public events, and to the
 * view (layout, cursor). One function per feature, as client-status.ts does for reconnect and
 * migration, so SpiceClient.connect() only builds the session and calls these. Every handler
 * first asks `live()`: events of a session that was replaced since are dropped.
 */
import type { AgentFeature, CursorFeature, DisplayFeature, Reconnector, Session, SessionStatus } from '../session/index';
import type { ScreenView } from '../ui/screen-view';
import type { AgentGlue } from './agent-glue';
import type { SpiceClientEventDetails } from './events';

export type Emit = <K extends keyof SpiceClientEventDetails>(type: K, detail: SpiceClientEventDetails[K]) => void;

/**
 * The session's own events: status (a retry's "connecting…" still says it is a reconnect),
 * connect / disconnect (while `rc` has a retry pending the last frame stays, dimmed, and no
 * 'disconnect' goes out), credentials, errors, channel states, mouse mode
 */
export function wireSession(
  session: Session,
  rc: Reconnector,
  live: () => boolean,
  view: ScreenView,
  emit: Emit,
  status: () => SessionStatus,
  setStatus: (s: SessionStatus) => void,
  hasMonitors: () => boolean,
): void {
  session.ev.on('status', (s) => {
    if (!live()) return;
    if (s.state === 'connecting' && rc.pending === false && status().state === 'reconnecting') s = { state: 'connecting', message: 'reconnecting…' };
    setStatus(s);
  });
  session.ev.on('connected', (c) => {
    if (!live()) return;
    if (!hasMonitors()) view.setStale(false);
    emit('connect', c);
  });
  session.ev.on('disconnected', (d) => {
    if (!live()) return;
    if (rc.pending) {
      view.setStale(true);
      return;
    }
    view.setStale(false);
    emit('disconnect', d);
  });
  session.ev.on('credentialsrequired', (c) => live() && emit('credentialsrequired', c));
  session.ev.on('error', (e) => live() && emit('spiceerror', e));
  session.ev.on('channel', (c) => live() && emit('channel', c));
  session.ev.on('mousemode', (m) => {
    if (!live()) return;
    view.applyCursor();
    emit('mousemode', m);
  });
}

/**
 * Monitors (layout, 'monitors', and 'resize' per monitor whose size changed: `sizes` remembers
 * them per session) and the first frame (the view is no longer stale; `first` gets its time)
 */
export function wireDisplay(display: DisplayFeature, live: () => boolean, view: ScreenView, emit: Emit, sizes: Map<string, string>, first: (at: number) => void): void {
  display.ev.on('monitors', (list) => {
    if (!live()) return;
    view.setLayout(list);
    emit('monitors', list);
    for (const m of list) {
      const k = `${m.channelId}:${m.head}`, size = `${m.width}x${m.height}`;
      if (sizes.get(k) === size) continue;
      sizes.set(k, size);
      emit('resize', { channelId: m.channelId, head: m.head, width: m.width, height: m.height });
    }
  });
  display.ev.on('firstframe', (f) => {
    if (!live()) return;
    view.setStale(false);
    first(f.at);
    emit('firstframe', f);
  });
}

/** the agent's state, the guest's clipboard (also to the page's clipboard through `glue`), file transfers */
export function wireAgent(agent: AgentFeature, live: () => boolean, emit: Emit, glue: AgentGlue): void {
  agent.ev.on('agent', (a) => {
    if (!live()) return;
    emit('agent', a);
    if (a.connected) glue.followSize();
  });
  agent.ev.on('clipboard', (c) => {
    if (!live()) return;
    emit('clipboard', c);
    glue.guestCopied(c);
  });
  agent.ev.on('fileprogress', (p) => live() && emit('filetransfer', { ...p, state: 'progress' }));
  agent.ev.on('filedone', (p) => live() && emit('filetransfer', { ...p, sent: p.size, state: 'done' }));
  agent.ev.on('filefailed', (f) => live() && emit('filetransfer', { id: f.id, name: f.name, size: 0, sent: 0, state: f.cancelled ? 'cancelled' : 'failed', error: f.error }));
}

/** the server's cursor (server mouse mode) to the view's overlay */
export function wireCursor(cursor: CursorFeature, live: () => boolean, view: ScreenView): void {
  cursor.ev.on('shape', (c) => live() && view.cursorShape(c));
  cursor.ev.on('move', (p) => live() && view.cursorMove(p.channelId, p.x, p.y));
  cursor.ev.on('hide', (h) => live() && view.cursorHide(h.channelId));
}
