/** Page entry: <spice-client> filling the page, settings from the URL (spice-html5's names work). Public API only. */
import { settingsFromUrl } from './embed/index';

const el = document.querySelector('spice-client') ?? document.body.appendChild(document.createElement('spice-client'));
const settings = settingsFromUrl(location);
el.resizeSession = settings.resizeSession;
if (settings.autoconnect) el.connect(settings);
