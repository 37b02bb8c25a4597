/**
 * What <spice-client>'s toolbar offers: one entry per control, in order. Each entry looks at the
 * element's state (UiHost) and returns a ToolItem, or null where the control would not work now
 * (no placeholders: the clipboard needs the agent, disconnect needs a connection…). To add a
 * control, add one entry here.
 */
import type { SessionStatus } from '../session/index';
import { t } from '../ui/i18n/index';
import { parseCombo } from '../ui/key-combos';
import type { ScaleMode, UiPrefs } from '../ui/prefs';
import type { ToolItem } from '../ui/toolbar';

export interface UiHost {
  readonly status: SessionStatus;
  readonly prefs: UiPrefs;
  /** a session exists (connected or connecting) */
  readonly live: boolean;
  /** connection settings are known (a connect or reconnect is possible) */
  readonly configured: boolean;
  readonly agentOn: boolean;
  readonly clipPanel: boolean;
  readonly viewOnly: boolean;
  readonly scale: ScaleMode;
  /** the type-text panel and the stats overlay are open */
  readonly typePanel: boolean;
  readonly statsOn: boolean;
  /** how many monitors are shown */
  readonly monitorCount: number;
  sendCtrlAltDel(): void;
  sendKeys(codes: string[]): void;
  toggleFullscreen(): Promise<void>;
  toggleClipboard(): void;
  toggleTypePanel(): void;
  toggleStats(): void;
  openMonitorWindow(index: number): void;
  saveScreenshot(): Promise<void>;
  setScale(m: ScaleMode): void;
  setSound(on: boolean): void;
  openSettings(): void;
  openConnect(): void;
  disconnect(): void;
  reconnect(): unknown;
  reconnectNow(): void;
  cancelReconnect(): void;
}

type Entry = (h: UiHost) => ToolItem | null;

const connected = (h: UiHost) => h.status.state === 'connected';

export const TOOLBAR_ITEMS: Entry[] = [
  (h) => (connected(h) && !h.viewOnly ? { id: 'cad', label: t('tb.cad'), title: t('tb.cad.title'), run: () => h.sendCtrlAltDel() } : null),
  (h) =>
    connected(h) && !h.viewOnly && h.prefs.keys.length
      ? { id: 'keys', label: t('tb.keys'), title: t('tb.keys.title'), icon: 'keys', menu: h.prefs.keys.map((k) => ({ id: k, label: k, run: () => h.sendKeys(parseCombo(k) ?? []) })) }
      : null,
  (h) => (connected(h) && !h.viewOnly ? { id: 'type', label: t('tb.type'), title: t('tb.type.title'), icon: 'type', pressed: h.typePanel, run: () => h.toggleTypePanel() } : null),
  (h) => (connected(h) && h.agentOn ? { id: 'clipboard', label: t('tb.clipboard'), title: t('tb.clipboard.title'), icon: 'clipboard', pressed: h.clipPanel, run: () => h.toggleClipboard() } : null),
  (h) => (connected(h) ? { id: 'screenshot', label: t('tb.screenshot'), title: t('tb.screenshot.title'), icon: 'screenshot', run: () => void h.saveScreenshot() } : null),
  (h) => ({
    id: 'scale',
    label: t('tb.scale'),
    title: t('tb.scale.title'),
    icon: 'scale',
    menu: (['fit', 'none', 'remote'] as const).map((m) => ({ id: m, label: t(`scale.${m}`), checked: h.scale === m, run: () => h.setScale(m) })),
  }),
  (h) => ({ id: 'sound', label: h.prefs.sound ? t('tb.sound.on') : t('tb.sound.off'), title: t('tb.sound.title'), icon: h.prefs.sound ? 'soundOn' : 'soundOff', pressed: h.prefs.sound, run: () => h.setSound(!h.prefs.sound) }),
  (h) =>
    connected(h) && h.monitorCount > 1
      ? { id: 'monitors', label: t('tb.monitors'), title: t('tb.monitors.title'), icon: 'monitors', menu: Array.from({ length: h.monitorCount }, (_, i) => ({ id: `monitor-${i}`, label: t('tb.monitor', { n: i + 1 }), run: () => h.openMonitorWindow(i) })) }
      : null,
  (h) => (connected(h) ? { id: 'stats', label: t('tb.stats'), title: t('tb.stats.title'), icon: 'stats', pressed: h.statsOn, run: () => h.toggleStats() } : null),
  (h) => ({ id: 'fullscreen', label: t('tb.fullscreen'), title: t('tb.fullscreen.title'), icon: 'fullscreen', run: () => void h.toggleFullscreen() }),
  (h) => ({ id: 'settings', label: t('tb.settings'), icon: 'settings', run: () => h.openSettings() }),
  (h) => (h.status.state === 'reconnecting' ? { id: 'reconnect-now', label: t('tb.reconnectNow'), icon: 'reconnect', run: () => h.reconnectNow() } : null),
  (h) => (h.status.state === 'reconnecting' ? { id: 'cancel', label: t('tb.cancel'), icon: 'cancel', run: () => h.cancelReconnect() } : null),
  (h) => (h.status.state !== 'reconnecting' && h.live ? { id: 'disconnect', label: t('tb.disconnect'), icon: 'power', run: () => h.disconnect() } : null),
  (h) => (h.status.state !== 'reconnecting' && !h.live && h.configured ? { id: 'reconnect', label: t('tb.reconnect'), icon: 'reconnect', run: () => h.reconnect() } : null),
  (h) => (!h.live && h.status.state !== 'reconnecting' ? { id: 'connect', label: t('tb.connect'), icon: 'connect', run: () => h.openConnect() } : null),
];

export function toolbarItems(h: UiHost): ToolItem[] {
  return TOOLBAR_ITEMS.map((e) => e(h)).filter((i): i is ToolItem => i !== null);
}

/** the element's side of UiHost */
export interface HostElement {
  status: SessionStatus;
  prefs: UiPrefs;
  agentOn: boolean;
  clipPanel: boolean;
  typePanel: boolean;
  statsOn: boolean;
  readonly monitors: readonly unknown[];
  viewOnly: boolean;
  sendCtrlAltDel(): void;
  sendKeys(codes: string[]): void;
  toggleFullscreen(): Promise<void>;
  disconnect(): void;
  cancelReconnect(): void;
  openSettings(): void;
  openMonitorWindow(index: number): Promise<unknown>;
  reportProblem(e: unknown): void;
  applyPrefs(p: UiPrefs, save: boolean): void;
}

export function makeHost(el: HostElement, x: Pick<UiHost, 'scale' | 'configured' | 'saveScreenshot' | 'openConnect' | 'reconnect' | 'reconnectNow'>): UiHost {
  return {
    ...x,
    status: el.status, prefs: el.prefs, agentOn: el.agentOn, clipPanel: el.clipPanel, viewOnly: el.viewOnly,
    typePanel: el.typePanel, statsOn: el.statsOn, monitorCount: el.monitors.length,
    live: el.status.state === 'connected' || el.status.state === 'connecting',
    sendCtrlAltDel: () => el.sendCtrlAltDel(),
    sendKeys: (codes) => el.sendKeys(codes),
    toggleFullscreen: () => el.toggleFullscreen(),
    toggleClipboard: () => (el.clipPanel = !el.clipPanel),
    toggleTypePanel: () => (el.typePanel = !el.typePanel),
    toggleStats: () => (el.statsOn = !el.statsOn),
    // the menu click is the user gesture window.open needs; a failure is told in the status line
    openMonitorWindow: (i) => void el.openMonitorWindow(i).catch((e: unknown) => el.reportProblem(e)),
    setScale: (scale) => el.applyPrefs({ ...el.prefs, scale }, true),
    setSound: (sound) => el.applyPrefs({ ...el.prefs, sound }, true),
    openSettings: () => el.openSettings(),
    disconnect: () => el.disconnect(),
    cancelReconnect: () => el.cancelReconnect(),
  };
}
