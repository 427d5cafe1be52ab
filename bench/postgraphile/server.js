// PostGraphile v4 over the bench database: the GraphQL server a user could
// pick instead of ours, in one Node process, as its docs run it in production.
//
//   DATABASE_URL=postgres://... PORT=5678 [PG_POOL_MAX=5] node server.js
//
// No auth (PostGraphile has no notion of our API keys), no mutations, no
// GraphiQL, no query log; Relay connections (the default, like our API) with
// nodes, pageInfo and totalCount. Listens on 127.0.0.1 only.
"use strict";

const http = require("http");
const { postgraphile } = require("postgraphile");

const port = Number(process.env.PORT);
if (!process.env.DATABASE_URL || !port) {
  console.error("DATABASE_URL and PORT are required");
  process.exit(2);
}

// As many PostgreSQL connections as one of our uvicorn workers has (Tortoise's 5).
const pool = { connectionString: process.env.DATABASE_URL, max: Number(process.env.PG_POOL_MAX || 5) };

const handler = postgraphile(pool, "public", {
  simpleCollections: "omit", // connections only, as our schema has
  disableDefaultMutations: true,
  graphiql: false,
  disableQueryLog: true,
  watchPg: false,
  retryOnInitFail: false,
  enableQueryBatching: false,
  extendedErrors: [],
  showErrorStack: false,
});

const server = http.createServer(handler);
server.keepAliveTimeout = 65000; // wrk keeps its connections open
server.listen(port, "127.0.0.1", () => {
  console.log(`postgraphile listening on 127.0.0.1:${port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => process.exit(0));
}
