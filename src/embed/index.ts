/**
 * The public surface of spice-web: the only module an embedding page imports. Importing it
 * defines <spice-client>. Everything else (sessions, channels, workers) is internal.
 *
 *   import { SpiceClient } from 'spice-web';
 *   const c = new SpiceClient(document.getElementById('screen')!, { url: 'wss://host/ws?token=vm1' });
 *   c.addEventListener('connect', () => …);
 *   c.addEventListener('disconnect', (e) => console.log(e.detail.reason, e.detail.error?.type));
 */
export { SpiceClient, type SpiceClientOptions } from './spice-client';
export { SpiceClientElement } from './element';
export type { AudioStatus, MicrophoneStatus, SpiceClientEventDetails, SpiceClientEventMap, SpiceClientEventName } from './events';
export type { MonitorWindowInfo, MonitorWindowPlacement } from './monitor-window';
export { SpiceMonitorMenu, type MonitorWindowHost } from './monitor-menu';
export { SettingsError, settingsFromUrl, type ConnectSettings } from './settings';
export type { UiPrefs, ScaleMode } from '../ui/prefs';
export { ErrorDetails, ErrorTypes, type ChannelRef, type ErrorDetail, type ErrorType, type SpiceError } from '../common/errors';
export type { AudioFigures, ChannelInfo, ChannelState, ClientStats, MonitorInfo, SessionState, SessionStatus, VideoRates } from '../session/index';
export type { DisplayStats } from '../display/worker-messages';
export { liveCounts, type LiveCounts } from '../common/live-counts';
export { TouchKeyboard, type TypeTextTarget } from '../ui/touch-keyboard';
export { TypeTextPanel } from '../ui/type-text-panel';
export { startPage, loadEmbedConfig, type PageHandle } from './page';
export { Kiosk, kioskRetryDelay } from './kiosk';
export { parseVv, VvError, type VvFile, type VvHotkey } from './vv-file';
export { openConnectionFile, type ConnectionFileInfo } from './vv-open';
export { VvOpenElement } from './vv-picker';
export { EmbedBridge, originAllowed, parseInbound, type InboundMessage, type OutboundMessage } from './post-message';
export { SpiceStatsOverlay, type StatsSource } from '../ui/stats-overlay';
