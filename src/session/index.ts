/** The session layer's surface for src/embed and tests. */
export { Session, type SessionDeps, type SessionEvents, type SessionState, type SessionStatus } from './session';
export { DisplayFeature, type DisplayEvents, type DisplayFeatureOptions, type MonitorHost, type MonitorInfo } from './display';
export { DisplayClient, WORKER_CLOSE_GRACE_MS } from './display-client';
export { InputsFeature } from './inputs';
export { CursorFeature, type CursorFeatureEvents } from './cursor';
export { MigrationFeature, MIGRATION_LINK_TIMEOUT_MS, targetOf, type MigrationEvents } from './migration';
export { withTarget } from './target-url';
export { DEFAULT_RECONNECT, Reconnector, backoffDelay, realTimers, type ReconnectEvents, type ReconnectPolicy, type Timers } from './reconnect';
export type { ChannelInfo, ChannelState, DisplayWorkerFactory, Migratable, SessionContext, SessionFeature, TransportFactory, WorkerLike } from './types';
export { AgentFeature, type AgentFeatureEvents, type AgentFeatureOptions } from './agent';
export { PlaybackFeature, type PlaybackFeatureEvents, type PlaybackFeatureOptions } from './playback';
export { RecordFeature, type MicrophoneState, type MicrophoneStatus, type RecordFeatureEvents, type RecordFeatureOptions } from './record';
export { StatsTracker, type AudioFigures, type ClientStats, type VideoRates } from './media-stats';
