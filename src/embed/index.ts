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
export type { AudioStatus, SpiceClientEventDetails, SpiceClientEventMap, SpiceClientEventName } from './events';
export { SettingsError, settingsFromUrl, type ConnectSettings } from './settings';
export type { UiPrefs, ScaleMode } from '../ui/prefs';
export { ErrorDetails, ErrorTypes, type ChannelRef, type ErrorDetail, type ErrorType, type SpiceError } from '../common/errors';
export type { ChannelInfo, ChannelState, MonitorInfo, SessionState, SessionStatus } from '../session/index';
export type { DisplayStats } from '../display/worker-messages';
export { liveCounts, type LiveCounts } from '../common/live-counts';
