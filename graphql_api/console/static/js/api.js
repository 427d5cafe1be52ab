// GraphQL over fetch and WebSocket. Every operation sent is the exact text of a
// checked-in file, operations/<Name>.graphql (validated against schema.graphql
// by the test suite): this module never builds a query.

const KEY = 'flexBackup.apiKey';
const GRAPHQL_URL = new URL('/graphql', location.origin);
const WS_URL = new URL('/graphql', location.origin.replace(/^http/, 'ws'));

/** The API key lives in this tab's sessionStorage only: never in a URL, never in localStorage. */
export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  signIn(key) {
    sessionStorage.setItem(KEY, key);
  },
  signOut() {
    sessionStorage.removeItem(KEY);
  },
};

/** The server refused the key (HTTP 401 / UNAUTHENTICATED): back to sign-in. */
export class AuthError extends Error {}

/** Anything else that went wrong; `codes` holds the errors' extensions.code. */
export class ApiError extends Error {
  constructor(message, errors = []) {
    super(message);
    this.codes = errors.map((e) => e.extensions?.code).filter(Boolean);
  }
}

const texts = new Map();

/** The checked-in text of an operation, fetched once. */
function operationText(name) {
  if (!texts.has(name)) {
    const url = new URL(`../operations/${name}.graphql`, import.meta.url);
    const text = fetch(url).then((response) => {
      if (!response.ok) throw new ApiError(`The console is missing its operation ${name} (HTTP ${response.status}). Reload the page.`);
      return response.text();
    });
    text.catch(() => texts.delete(name));
    texts.set(name, text);
  }
  return texts.get(name);
}

function requireKey() {
  const key = session.key;
  if (!key) throw new AuthError('Sign in with an API key to continue.');
  return key;
}

/** Run a query or mutation; resolves to its `data`, throws AuthError or ApiError. */
export async function gql(name, variables = {}) {
  const key = requireKey();
  const query = await operationText(name);
  let response;
  try {
    response = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/graphql-response+json, application/json;q=0.9',
        Authorization: `Bearer ${key}`,
      },
      body: JSON.stringify({ query, operationName: name, variables }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('The server could not be reached. Check your connection or that the server is running, then try again.');
  }
  const body = await response.json().catch(() => null);
  const errors = body?.errors ?? [];
  if (response.status === 401 || errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
    session.signOut();
    throw new AuthError(errors[0]?.message ?? 'The server refused your API key (HTTP 401).');
  }
  if (!body) throw new ApiError(`The server answered HTTP ${response.status} without a GraphQL response. Try again in a moment.`);
  if (errors.length) throw new ApiError(errors.map((e) => e.message).join(' '), errors);
  return body.data;
}

/**
 * Follow a subscription over graphql-transport-ws. The key goes in the
 * connection_init payload (browsers cannot set headers on a WebSocket).
 * Returns a function that stops it.
 */
export async function subscribe(name, variables, { next, error, complete }) {
  const key = requireKey();
  const query = await operationText(name);
  const socket = new WebSocket(WS_URL, 'graphql-transport-ws');
  let finished = false;
  const finish = (callback, value) => {
    if (finished) return;
    finished = true;
    if (socket.readyState <= WebSocket.OPEN) socket.close(1000);
    callback?.(value);
  };
  const send = (message) => socket.send(JSON.stringify(message));

  socket.addEventListener('open', () => {
    send({ type: 'connection_init', payload: { Authorization: `Bearer ${key}` } });
  });
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    switch (message.type) {
      case 'connection_ack':
        send({ id: '1', type: 'subscribe', payload: { query, operationName: name, variables } });
        break;
      case 'ping':
        send({ type: 'pong' });
        break;
      case 'next':
        if (message.payload.errors?.length) {
          finish(error, new ApiError(message.payload.errors.map((e) => e.message).join(' '), message.payload.errors));
        } else {
          next(message.payload.data);
        }
        break;
      case 'error':
        finish(error, new ApiError(message.payload.map((e) => e.message).join(' '), message.payload));
        break;
      case 'complete':
        finish(complete);
        break;
      default:
        break;
    }
  });
  socket.addEventListener('close', (event) => {
    if (event.code === 4403 || event.code === 4401) {
      session.signOut();
      finish(error, new AuthError('The server refused your API key for live updates. Sign in again.'));
    } else {
      finish(error, new ApiError(`The live connection closed (code ${event.code}). Reload the page to see the latest status.`));
    }
  });
  return () => {
    if (!finished && socket.readyState === WebSocket.OPEN) send({ id: '1', type: 'complete' });
    finish(null);
  };
}
