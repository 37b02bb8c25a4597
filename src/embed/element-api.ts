/**
 * The part of <spice-client>'s API that hands a call to its SpiceClient as it is (screenshots,
 * clipboard, files, monitors, keys, sound, stats…): kept apart from element.ts, which holds the
 * element's own behaviour (settings, dialogs, status, the toolbar's state). The SpiceClient lives
 * in a module-private WeakMap so that nothing internal is reachable from the element.
 */
import { LitElement } from 'lit';
import type { DisplayStats } from '../display/worker-messages';
import type { ChannelInfo, ClientStats, MonitorInfo } from '../session/index';
import { liveCounts, type LiveCounts } from '../common/live-counts';
import type { MonitorWindowInfo } from './monitor-window';
import type { SpiceClient } from './spice-client';

const clients = new WeakMap<ClientElementBase, SpiceClient>();

/** element.ts: the element's SpiceClient (null: none, after dispose) */
export function bindClient(el: ClientElementBase, c: SpiceClient | null): void {
  if (c) clients.set(el, c);
  else clients.delete(el);
}

export abstract class ClientElementBase extends LitElement {
  private get client(): SpiceClient | null {
    return clients.get(this) ?? null;
  }

  /** stop an automatic reconnect that is counting down */
  cancelReconnect(): void {
    this.client?.cancelReconnect();
  }

  disconnect(): void {
    this.client?.disconnect();
  }

  /** press a key combination, KeyboardEvent.code names in order (['ControlLeft', 'AltLeft', 'F1']) */
  sendKeys(codes: string[]): void {
    this.client?.sendKeys(codes);
  }

  sendCtrlAltDel(): void {
    this.client?.sendCtrlAltDel();
  }

  /** monitor `index` in its own window (another screen with the Window Management API); see SpiceClient */
  openMonitorWindow(index = 0): Promise<MonitorWindowInfo> {
    return this.client ? this.client.openMonitorWindow(index) : Promise.reject(new Error('not connected'));
  }

  /** see SpiceClient.typeText */
  typeText(text: string): Promise<string[]> {
    return this.client ? this.client.typeText(text) : Promise.reject(new Error('not connected'));
  }

  get keyboardLocks(): SpiceClient['keyboardLocks'] {
    return this.client?.keyboardLocks ?? null;
  }

  get viewZoom(): SpiceClient['viewZoom'] {
    return this.client?.viewZoom ?? { scale: 1, x: 0, y: 0 };
  }

  /** PNG Blob of monitor `index`'s exact pixels (no scaling, no cursor); `{ shown: true }`: what its canvas shows */
  screenshot(index = 0, options: { shown?: boolean } = {}): Promise<Blob> {
    return this.client ? this.client.screenshot(index, options) : Promise.reject(new Error('not connected'));
  }

  /** counters of monitor `index`'s display channel: messages and image types received */
  displayStats(index = 0): Promise<DisplayStats> {
    return this.client ? this.client.displayStats(index) : Promise.reject(new Error('not connected'));
  }

  /** live figures per display channel, sound and round trip (see SpiceClient.stats) */
  stats(): Promise<ClientStats> {
    return this.client ? this.client.stats() : Promise.reject(new Error('not connected'));
  }

  /** put text on the guest's clipboard (false without an agent that does the clipboard) */
  setClipboard(text: string, selection = 0): boolean {
    return this.client?.setClipboard(text, selection) ?? false;
  }

  /** put a PNG image on the guest's clipboard */
  setClipboardImage(png: Blob | Uint8Array, selection = 0): Promise<boolean> {
    return this.client?.setClipboardImage(png, selection) ?? Promise.resolve(false);
  }

  /** the guest's monitors (index = monitor id; 0×0 disables one); needs the agent */
  setGuestMonitors(monitors: Array<{ width: number; height: number; x: number; y: number }>): void {
    this.client?.setGuestMonitors(monitors);
  }

  /** send a file to the guest (resolves when the agent has written it); progress: `filetransfer` events */
  sendFile(file: File): Promise<void> {
    return this.client ? this.client.sendFile(file) : Promise.reject(new Error('not connected'));
  }

  /** cancel a file transfer (or all of them) */
  cancelFileTransfer(id?: number): void {
    this.client?.cancelFileTransfer(id);
  }

  get agentConnected(): boolean {
    return this.client?.agentConnected ?? false;
  }

  get mouseMode(): number {
    return this.client?.mouseMode ?? 0;
  }

  get monitors(): MonitorInfo[] {
    return this.client?.monitors ?? [];
  }

  get channels(): ChannelInfo[] {
    return this.client?.channels ?? [];
  }

  get cursor(): SpiceClient['cursor'] {
    return this.client?.cursor ?? null;
  }

  /** sockets, display workers and timers this page holds open (a leak check for tests and kiosks) */
  get liveCounts(): LiveCounts {
    return liveCounts();
  }

  /** navigation start → first frame on the first monitor, ms */
  get firstFrameMs(): number | null {
    return this.client?.firstFrameMs ?? null;
  }

  /** sound output and stream state (SpiceClient.audio) */
  get audio() {
    return this.client?.audio ?? null;
  }

  /** the microphone's state (SpiceClient.microphone) */
  get microphone() {
    return this.client?.microphone ?? null;
  }

  /** the user agrees to send the microphone while the guest records (SpiceClient.enableMicrophone) */
  enableMicrophone(): void {
    this.client?.enableMicrophone();
  }

  disableMicrophone(): void {
    this.client?.disableMicrophone();
  }

  /** the next `frames` frames of sound output, after volume/mute (diagnostics, tests) */
  captureAudio(frames: number): Promise<Float32Array[]> {
    return this.client ? this.client.captureAudio(frames) : Promise.reject(new Error('not connected'));
  }
}
