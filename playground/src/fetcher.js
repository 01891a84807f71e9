// The fetcher GraphiQL runs operations through: queries and mutations as
// POST /graphql, subscriptions over graphql-transport-ws (graphql-ws), both
// with the headers editor's credentials. Records each HTTP response's
// status, time and size for the footer.
import { createClient } from 'graphql-ws';
import { parse, getOperationAST } from 'graphql';

// A token pasted with or without its scheme works: "abc", "Bearer abc" and
// "Bearer Bearer abc" all become "Bearer abc". Other schemes are left alone.
export function normalizeAuthorization(value) {
  let token = String(value).trim();
  while (/^bearer\s+/i.test(token)) token = token.replace(/^bearer\s+/i, '').trim();
  if (/^[A-Za-z]+\s+\S/.test(token)) return token;
  return token ? `Bearer ${token}` : '';
}

// Headers from the editor, with Authorization normalized and empty values
// and placeholders dropped.
export function credentials(headers) {
  const out = {};
  for (const [name, raw] of Object.entries(headers || {})) {
    if (raw == null) continue;
    let value = String(raw);
    if (name.toLowerCase() === 'authorization') value = normalizeAuthorization(value);
    if (!value || value.includes('<token>')) continue;
    out[name] = value;
  }
  return out;
}

const listeners = new Set();
// The last response's figures: { status, ms, bytes, kind }.
export const stats = {
  last: null,
  subscribe(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
  publish(value) {
    this.last = value;
    for (const fn of listeners) fn(value);
  },
};

function operationKind(query, operationName) {
  try {
    return getOperationAST(parse(query), operationName || undefined)?.operation ?? 'query';
  } catch {
    return 'query';
  }
}

export function createFetcher(config) {
  // One WebSocket client per set of credentials; a changed token opens a
  // new connection.
  let socket = null;
  let socketKey = null;
  const wsClient = (headers) => {
    const key = JSON.stringify(headers);
    if (socket && socketKey === key) return socket;
    socket?.dispose();
    socketKey = key;
    socket = createClient({ url: config.socket, connectionParams: headers, lazy: true, retryAttempts: 0 });
    return socket;
  };

  return (params, options) => {
    const headers = credentials(options?.headers);
    if (operationKind(params.query, params.operationName) === 'subscription') {
      return subscribe(wsClient(headers), params);
    }
    return post(config.endpoint, params, headers);
  };
}

async function post(endpoint, params, headers) {
  const started = performance.now();
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...headers,
    },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  stats.publish({ kind: 'http', status: response.status, ms, bytes: new TextEncoder().encode(text).length });
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
  }
}

// An async iterator over one subscription's results; GraphiQL shows each
// as it arrives, and returning the iterator (the stop button) ends it.
function subscribe(client, params) {
  const started = performance.now();
  let events = 0;
  const pending = [];
  let wake = null;
  let done = false;
  const push = (item) => {
    pending.push(item);
    wake?.();
  };
  const dispose = client.subscribe(params, {
    next: (value) => {
      events += 1;
      const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
      stats.publish({ kind: 'ws', status: 101, ms: performance.now() - started, bytes, events });
      push({ value });
    },
    error: (error) => {
      const message = error instanceof Error ? error.message : Array.isArray(error) ? error.map((e) => e.message).join('; ') : error?.reason || 'the subscription failed';
      push({ value: { errors: Array.isArray(error) ? error : [{ message }] }, last: true });
    },
    complete: () => push({ end: true }),
  });
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (!done) {
        const item = pending.shift();
        if (item) {
          if (item.end) break;
          if (item.last) done = true;
          return { value: item.value, done: false };
        }
        await new Promise((resolve) => (wake = resolve));
        wake = null;
      }
      done = true;
      dispose();
      return { value: undefined, done: true };
    },
    async return() {
      done = true;
      dispose();
      wake?.();
      return { value: undefined, done: true };
    },
  };
}
