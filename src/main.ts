/** Page entry: <spice-client> filling the page, settings from the URL (spice-html5's names work). Public API only. */
import { settingsFromUrl, startPage } from './embed/index';

const el = document.querySelector('spice-client') ?? document.body.appendChild(document.createElement('spice-client'));
const settings = settingsFromUrl(location);
el.resizeSession = settings.resizeSession;
if (settings.autoconnect) el.connect(settings);
// portal bridge (iframe / window.open), kiosk mode (?kiosk=1), .vv files: src/embed/page.ts
void startPage(el, settings);
