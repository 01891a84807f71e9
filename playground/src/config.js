// What the router tells the page when it serves it, in a <meta> tag (the
// Content-Security-Policy allows no inline script): the GraphQL endpoint,
// and in dev mode the demo admin token to pre-fill the headers with.
export function readConfig() {
  const meta = document.querySelector('meta[name="backbone-playground"]');
  let config = {};
  try {
    config = JSON.parse(meta?.getAttribute('content') || '{}');
  } catch {
    config = {};
  }
  const endpoint = new URL(config.endpoint || '/graphql', window.location.href);
  const socket = new URL(endpoint.href);
  socket.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
  return { endpoint: endpoint.href, socket: socket.href, demoToken: config.demoToken || null };
}

// The headers a new tab starts with: the demo token in dev mode, else an
// empty Authorization to fill in.
export function defaultHeaders(config) {
  const value = config.demoToken ? `Bearer ${config.demoToken}` : 'Bearer <token>';
  return JSON.stringify({ Authorization: value }, null, 2);
}
