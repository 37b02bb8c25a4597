/**
 * Page entry: <spice-client> filling the page, settings from the URL (spice-html5's names work).
 * Public API only. Parameters that cannot be used (a bad host) are shown in the connect dialog
 * with the reason; the portal bridge, kiosk mode, .vv files and the connect dialog when nothing is
 * configured are src/embed/page.ts.
 */
import { settingsFromUrl, startPage, type ConnectSettings } from './embed/index';

const el = document.querySelector('spice-client') ?? document.body.appendChild(document.createElement('spice-client'));
let settings: ConnectSettings;
let problem: unknown = null;
try {
  settings = settingsFromUrl(location);
} catch (e) {
  problem = e;
  // the defaults (the proxy next to this page), so that the dialog, a portal or a .vv file can still connect
  settings = { ...settingsFromUrl({ href: location.origin + location.pathname }), autoconnect: false };
}
if (settings.resizeSession) el.resizeSession = true;
if (settings.autoconnect) el.connect(settings);
void startPage(el, settings, location, problem);
