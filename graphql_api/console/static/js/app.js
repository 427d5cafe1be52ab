// The console's entry point: the header, the router, and errors that reach the top.
import { AuthError, gql, session } from './api.js';
import * as audit from './audit.js';
import * as backup from './backup.js';
import { h, notice, replace } from './dom.js';
import * as home from './home.js';
import * as project from './project.js';
import { BASE, currentPath, href, navigate, onNavigate, signInAgain, takeSignInReason } from './router.js';
import * as signin from './signin.js';
import * as snapshots from './snapshots.js';

const ID = '([0-9a-fA-F]{24})';
const ROUTES = [
  [/^$/, home],
  [new RegExp(`^projects/${ID}$`), project],
  [new RegExp(`^projects/${ID}/snapshots$`), snapshots],
  [new RegExp(`^projects/${ID}/audit$`), audit],
  [new RegExp(`^projects/${ID}/clusters/([^/]+)$`), backup],
];

let viewer = null; // the signed-in viewer's email, for the header

async function renderAccount() {
  const account = document.getElementById('account');
  if (!session.key) {
    replace(account);
    return;
  }
  const signOut = h('button', { type: 'button', class: 'small', onclick: () => signInAgain('You signed out.') }, 'Sign out');
  replace(account, h('span', { id: 'viewer-email' }, viewer ?? ''), signOut);
  if (!viewer) {
    try {
      viewer = (await gql('Viewer')).viewer.email;
      document.getElementById('viewer-email').textContent = viewer;
    } catch {
      // The page's own query reports the problem.
    }
  }
}

function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a malformed escape: the screen will say it found nothing by that name
  }
}

let renders = 0;

async function render() {
  const main = document.getElementById('main');
  const page = h('div', { class: 'page' });
  replace(main, page);
  const current = ++renders;
  if (!session.key) {
    viewer = null;
    renderAccount();
    signin.render(page, { reason: takeSignInReason() });
    return;
  }
  renderAccount();
  const path = currentPath();
  const match = ROUTES.map(([pattern, screen]) => [pattern.exec(path), screen]).find(([m]) => m);
  try {
    if (!match) {
      page.append(
        h('h1', { tabindex: '-1' }, 'Page not found'),
        notice('error', h('p', {}, `The console has no page at ${location.pathname}. `, h('a', { href: href() }, 'Go to your projects'), '.')),
      );
    } else {
      const [m, screen] = match;
      await screen.render(page, m.slice(1).map(decodeSegment), new URLSearchParams(location.search));
    }
  } catch (error) {
    if (current !== renders) return; // the viewer has moved on
    if (error instanceof AuthError) {
      signInAgain(error.message);
      return;
    }
    replace(page,
      h('h1', { tabindex: '-1' }, 'Something went wrong'),
      notice('error', h('p', {}, error.message), h('p', {}, h('button', { type: 'button', onclick: () => render() }, 'Try again'))),
    );
  }
  if (current === renders) page.querySelector('h1')?.focus({ preventScroll: true });
}

// Links inside the console navigate without reloading; modified clicks keep their meaning.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.hasAttribute('download')) return;
  const raw = link.getAttribute('href');
  if (raw.startsWith('#')) {
    event.preventDefault();
    document.getElementById(raw.slice(1))?.focus();
    return;
  }
  const url = new URL(link.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
  event.preventDefault();
  navigate(url.pathname.slice(BASE.length) + url.search);
});

window.addEventListener('popstate', render);
onNavigate(render);
render();
