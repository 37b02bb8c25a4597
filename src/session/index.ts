/** The session layer's surface for src/embed and tests. */
export { Session, type SessionDeps, type SessionEvents, type SessionState, type SessionStatus } from './session';
export { DisplayFeature, type DisplayEvents, type DisplayFeatureOptions, type MonitorHost, type MonitorInfo } from './display';
export { DisplayClient, WORKER_CLOSE_GRACE_MS } from './display-client';
export { InputsFeature } from './inputs';
export { CursorFeature, type CursorFeatureEvents } from './cursor';
export type { ChannelInfo, ChannelState, DisplayWorkerFactory, SessionContext, SessionFeature, TransportFactory, WorkerLike } from './types';
export { PlaybackFeature, type PlaybackFeatureEvents, type PlaybackFeatureOptions } from './playback';
