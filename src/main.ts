/**
 * Page entry: <spice-client> filling the page, settings from the URL (spice-html5's names work).
 * Public API only. Nothing to connect to (`autoconnect=0`) or parameters that cannot be used (a
 * bad host): the connect dialog, with the reason.
 */
import { settingsFromUrl, type ConnectSettings } from './embed/index';

const el = document.querySelector('spice-client') ?? document.body.appendChild(document.createElement('spice-client'));
let settings: ConnectSettings | null = null;
try {
  settings = settingsFromUrl(location);
} catch (e) {
  void el.showConnectDialog({ error: e });
}
if (settings) {
  if (settings.resizeSession) el.resizeSession = true;
  if (settings.autoconnect) el.connect(settings);
  else void el.showConnectDialog({ url: settings.url });
}
