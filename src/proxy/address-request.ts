// A connection file (.vv) names its server by host and port. The browser may pass that name on
// only as a *request*: `/ws?target=HOST:PORT` (at most two, in preference order: the file's
// `port`, then its `tls-port`). The proxy answers it from its own list and nothing else:
//
// - a fixed `--target`: the request must name it (or one of its `--migrate-target`s);
// - with `?token=` too: the request must name the token's target or one of its migration
//   destinations (a portal's .vv plus the ticket it issued);
// - a token file without a token: the request must name an entry marked `vv` (the operator
//   says that server may be reached by its address, without knowing the token's name).
//
// The endpoint that is dialled is always the proxy's own entry (with its TLS settings), never the
// text the browser sent, and an unlisted name is refused before anything is dialled.
import { EndpointSyntaxError, formatEndpoint, parseHostPort, sameHostPort, type Endpoint, type Route } from './endpoint.js';

/** Query parameter of an address request. */
export const TARGET_PARAM = 'target';
/** port and tls-port of one file */
export const MAX_TARGET_PARAMS = 2;

export type AddressAnswer =
  | { ok: true; route: Route; key: string }
  | { ok: false; status: 'bad_request' | 'not_listed'; reason: string };

/**
 * Picks the first requested endpoint that one of `routes` allows (its target or a migration
 * destination) and returns the route to use: that endpoint as the target, the owning route's
 * migration list kept.
 */
export function answerAddressRequest(asked: readonly string[], routes: readonly Route[]): AddressAnswer {
  if (asked.length === 0 || asked.length > MAX_TARGET_PARAMS) return { ok: false, status: 'bad_request', reason: `give one or two ${TARGET_PARAM}=HOST:PORT parameters` };
  const wanted: Array<{ host: string; port: number }> = [];
  for (const a of asked) {
    try {
      wanted.push(parseHostPort(a));
    } catch (e) {
      if (e instanceof EndpointSyntaxError) return { ok: false, status: 'bad_request', reason: `bad ${TARGET_PARAM} parameter (HOST:PORT)` };
      throw e;
    }
  }
  for (const w of wanted) {
    for (const r of routes) {
      const hit: Endpoint | undefined = [r.target, ...r.migrate].find((e) => sameHostPort(e, w));
      if (hit) return { ok: true, route: { target: hit, migrate: r.migrate }, key: `addr:${formatEndpoint(hit).toLowerCase()}` };
    }
  }
  const names = wanted.map(formatEndpoint).join(' or ');
  return { ok: false, status: 'not_listed', reason: `the server ${names} is not on this proxy's list` };
}
