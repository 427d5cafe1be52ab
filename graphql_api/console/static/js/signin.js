// Sign-in: an API key, kept in this tab's sessionStorage until sign-out.
import { AuthError, gql, session } from './api.js';
import { h, notice } from './dom.js';
import { refresh } from './router.js';

export function render(page, { reason }) {
  document.title = 'Sign in · Flex Backup console';
  const error = h('p', { id: 'signin-error', class: 'field-error', role: 'alert' });
  const input = h('input', {
    id: 'api-key',
    name: 'apiKey',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'api-key-hint signin-error',
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');

  async function onsubmit(event) {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      error.textContent = 'Paste an API key: `make run` prints demo keys; `graphql-api create-api-key` issues one.';
      input.focus();
      return;
    }
    submit.disabled = true;
    error.textContent = '';
    session.signIn(key);
    try {
      await gql('Viewer'); // proves the key before leaving this screen
      refresh();
    } catch (e) {
      session.signOut();
      submit.disabled = false;
      error.textContent = e instanceof AuthError ? `${e.message} Check the key and try again.` : e.message;
      input.focus();
    }
  }

  // method="post" and the CSP's form-action 'none': the key can never end up in a URL.
  page.append(
    h(
      'section',
      { class: 'signin' },
      h('h1', { tabindex: '-1' }, 'Sign in to the Flex Backup console'),
      reason ? notice('warn', h('p', { id: 'signin-reason' }, reason)) : null,
      h(
        'form',
        { method: 'post', onsubmit, novalidate: true },
        h('label', { for: 'api-key' }, 'API key'),
        input,
        h('p', { id: 'api-key-hint', class: 'hint' }, 'It stays in this browser tab only, until you sign out or close the tab, and is sent only to this server.'),
        error,
        h('p', {}, submit),
      ),
    ),
  );
  input.focus();
}
