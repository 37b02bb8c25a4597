/** Page entry: <spice-client> filling the page, settings from the URL (spice-html5's names work). */
import { settingsFromUrl } from './embed/settings';
import './ui/spice-client';

const el = document.querySelector('spice-client') ?? document.body.appendChild(document.createElement('spice-client'));
const settings = settingsFromUrl(location);
if (settings.autoconnect) el.connect(settings);
