// Runs graphql-http's server audit suite against a running server and prints
// JSON on stdout: {"results": [{id, name, status, reason?, httpStatus?}, ...],
// "httpStatuses": [every HTTP status the server answered, in order]}.
//
//   node audit.mjs <graphql url> [api key]
//
// Every request carries `Authorization: Bearer <api key>` when a key is given.
import { serverAudits } from 'graphql-http';

const [url, apiKey] = process.argv.slice(2);
if (!url) {
  console.error('usage: node audit.mjs <graphql url> [api key]');
  process.exit(2);
}

const httpStatuses = [];

async function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  if (apiKey) headers.set('authorization', `Bearer ${apiKey}`);
  const response = await fetch(input, { ...init, headers, signal: AbortSignal.timeout(10_000) });
  httpStatuses.push(response.status);
  return response;
}

const results = [];
for (const audit of serverAudits({ url, fetchFn })) {
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    result = { id: audit.id, name: audit.name, status: 'error', reason: `threw: ${err}` };
  }
  const { id, name, status, reason } = result;
  const entry = { id, name, status };
  if (status !== 'ok') entry.reason = reason;
  if (result.response) entry.httpStatus = result.response.status;
  results.push(entry);
}
process.stdout.write(JSON.stringify({ results, httpStatuses }, null, 2) + '\n');
