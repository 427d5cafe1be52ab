// Paths under the console's base (/console/), the History API, and going back to sign-in.
import { session } from './api.js';

/** "/console/": where index.html is served (this module is in js/). */
export const BASE = new URL('..', import.meta.url).pathname;

let listener = () => {};
let signInReason = null;

/** app.js registers how to render the current location. */
export function onNavigate(render) {
  listener = render;
}

export function href(path = '') {
  return BASE + path;
}

/** The path below BASE, without a trailing slash: "projects/<id>/snapshots". */
export function currentPath() {
  return location.pathname.slice(BASE.length).replace(/\/+$/, '');
}

export function navigate(path) {
  history.pushState(null, '', href(path));
  listener();
}

/** Render the current page again (after a mutation changed what it shows). */
export function refresh() {
  listener();
}

/** The key was refused: forget it and show sign-in with the reason, on this same page. */
export function signInAgain(reason) {
  session.signOut();
  signInReason = reason;
  listener();
}

export function takeSignInReason() {
  const reason = signInReason;
  signInReason = null;
  return reason;
}

/** Cursor paging from the URL: ?after=<cursor> (next pages) or ?before=<cursor> (previous). */
export function pageVariables(query, size) {
  const before = query.get('before');
  if (before) return { last: size, before };
  return { first: size, after: query.get('after') || null };
}

/** Previous / Next links for a connection's pageInfo, keeping the other query parameters. */
export function pagerLinks(path, query, pageInfo, h) {
  const link = (label, name, cursor, enabled) => {
    if (!enabled) return h('span', { class: 'button', 'aria-disabled': 'true' }, label);
    const params = new URLSearchParams(query);
    params.delete('after');
    params.delete('before');
    params.set(name, cursor);
    return h('a', { class: 'button', href: `${href(path)}?${params}`, rel: name === 'after' ? 'next' : 'prev' }, label);
  };
  if (!pageInfo.hasPreviousPage && !pageInfo.hasNextPage) return null; // one page: nothing to page through
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    link('← Newer', 'before', pageInfo.startCursor, pageInfo.hasPreviousPage),
    link('Older →', 'after', pageInfo.endCursor, pageInfo.hasNextPage));
}
