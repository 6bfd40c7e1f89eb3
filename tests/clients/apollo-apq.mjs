#!/usr/bin/env node
// Apollo Client with its automatic-persisted-queries link, run against a GraphQL server.
//
//   node apollo-apq.mjs [--get] [--url URL] [--token TOKEN] [--query DOC] [--variables JSON]
//
// URL is the server's base address (e.g. http://127.0.0.1:8000; /graphql is appended), TOKEN a
// bearer token; they fall back to the positional arguments, then to TRIBUTARY_URL and
// TRIBUTARY_TOKEN. --get turns on useGETForHashedQueries (hash-only requests go as GET).
// --query and --variables replace the probe query below and its variables.
//
// Runs one query twice with fetchPolicy 'network-only' on one client, recording every HTTP
// request the client makes (through a fetch wrapper), and prints one JSON line:
//   {"results": [data of run 1, data of run 2], "requests": [record, ...]}
// and, when a run threw, "error" too (and exits 1). A record is
//   {method, path, sentQuery, query, sha256Hash, operationName, variables, status, contentType, body}
// where sentQuery tells whether the request carried the document (in the body or in the URL),
// query is that document as sent (Apollo's print of it, with the __typename fields its cache
// adds; null when not sent) and sha256Hash is extensions.persistedQuery.sha256Hash, or null.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';

import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

const PROBE = `
  query ApqProbe($first: Int!) {
    me {
      id
      name
      role
    }
    persons(first: $first) {
      totalCount
    }
  }
`;
const PROBE_VARIABLES = '{"first": 5}';

const { values, positionals } = parseArgs({
  options: {
    get: { type: 'boolean', default: false },
    url: { type: 'string' },
    token: { type: 'string' },
    query: { type: 'string', default: PROBE },
    variables: { type: 'string', default: PROBE_VARIABLES },
  },
  allowPositionals: true,
});
const baseUrl = values.url ?? positionals[0] ?? process.env.TRIBUTARY_URL;
const token = values.token ?? positionals[1] ?? process.env.TRIBUTARY_TOKEN;
if (!baseUrl || !token) {
  process.stderr.write('usage: node apollo-apq.mjs [--get] [--url URL] [--token TOKEN]\n');
  process.exit(2);
}

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

function parseJson(text) {
  if (text === undefined || text === null || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// What the request carried: from the JSON body for POST, from the URL's parameters for GET.
function describeRequest(method, url, body) {
  if (method === 'GET') {
    const params = new URL(url).searchParams;
    const extensions = parseJson(params.get('extensions'));
    return {
      sentQuery: params.has('query'),
      query: params.get('query'),
      sha256Hash: extensions?.persistedQuery?.sha256Hash ?? null,
      operationName: params.get('operationName'),
      variables: parseJson(params.get('variables')),
    };
  }
  const payload = typeof body === 'string' ? parseJson(body) : null;
  return {
    sentQuery: typeof payload?.query === 'string',
    query: typeof payload?.query === 'string' ? payload.query : null,
    sha256Hash: payload?.extensions?.persistedQuery?.sha256Hash ?? null,
    operationName: payload?.operationName ?? null,
    variables: payload?.variables ?? null,
  };
}

const requests = [];
async function recordingFetch(input, init = {}) {
  const url = typeof input === 'string' ? input : input.url;
  const method = (init.method ?? 'GET').toUpperCase();
  const record = { method, path: new URL(url).pathname, ...describeRequest(method, url, init.body) };
  requests.push(record);
  const response = await fetch(input, init);
  record.status = response.status;
  record.contentType = response.headers.get('content-type');
  record.body = parseJson(await response.clone().text());
  return response;
}

const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: values.get }).concat(
  new HttpLink({
    uri: `${baseUrl.replace(/\/+$/, '')}/graphql`,
    headers: { authorization: `Bearer ${token}` },
    fetch: recordingFetch,
  }),
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });

const query = gql(values.query);
const variables = JSON.parse(values.variables);
const results = [];
let error = null;
try {
  for (let run = 0; run < 2; run += 1) {
    const { data } = await client.query({
      query,
      variables,
      fetchPolicy: 'network-only',
    });
    results.push(data);
  }
} catch (caught) {
  error = { name: caught?.name ?? 'Error', message: String(caught?.message ?? caught) };
}
process.stdout.write(`${JSON.stringify({ results, requests, ...(error ? { error } : {}) })}\n`);
process.exit(error ? 1 : 0);
