/** The toolbar's line icons (24×24, stroked in currentColor), inline so nothing loads from elsewhere. */
import { svg, type SVGTemplateResult } from 'lit';

export const ICONS: Record<string, SVGTemplateResult> = {
  keys: svg`<rect x="2" y="6" width="20" height="12" rx="2"/><path d="M6 10h1M10 10h1M14 10h1M18 10h0M7 14h10"/>`,
  fullscreen: svg`<path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5"/>`,
  clipboard: svg`<rect x="5" y="4" width="14" height="17" rx="2"/><path d="M9 3h6v3H9z"/>`,
  screenshot: svg`<rect x="3" y="7" width="18" height="13" rx="2"/><circle cx="12" cy="13.5" r="3.5"/><path d="M8 7l2-3h4l2 3"/>`,
  scale: svg`<rect x="3" y="5" width="18" height="14" rx="1"/><path d="M8 9l-3 3 3 3M16 9l3 3-3 3"/>`,
  soundOn: svg`<path d="M4 9h4l5-4v14l-5-4H4z"/><path d="M16 9a4 4 0 0 1 0 6M18.5 6.5a8 8 0 0 1 0 11"/>`,
  soundOff: svg`<path d="M4 9h4l5-4v14l-5-4H4z"/><path d="M16 9l5 6M21 9l-5 6"/>`,
  settings: svg`<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1"/>`,
  power: svg`<path d="M12 3v9M7 6.3a8 8 0 1 0 10 0"/>`,
  reconnect: svg`<path d="M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5"/>`,
  cancel: svg`<path d="M6 6l12 12M18 6L6 18"/>`,
  connect: svg`<path d="M10 17l5-5-5-5M15 12H3M14 4h5a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1h-5"/>`,
  type: svg`<path d="M4 7V5h16v2M12 5v14M9 19h6"/>`,
  monitors: svg`<rect x="2" y="4" width="12" height="9" rx="1"/><rect x="10" y="9" width="12" height="9" rx="1"/><path d="M6 20h4M16 21h4"/>`,
  stats: svg`<path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/>`,
  down: svg`<path d="M6 9l6 6 6-6"/>`,
};
