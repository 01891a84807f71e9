// Drives the real playground in headless Chromium (Debian's, through
// playwright-core), as a partner would: the docs explorer, a query with the
// pre-filled token, a pasted bare token, a subscription that shows an event
// sent by a mutation, the response figures. Fails if any request leaves
// 127.0.0.1 or the Content-Security-Policy refuses anything.
//
// Run by the router's end-to-end tests: `node e2e/browser.mjs` with
// PLAYGROUND_URL, PLAYGROUND_TOKEN and SCREENSHOTS set.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const base = process.env.PLAYGROUND_URL;
const token = process.env.PLAYGROUND_TOKEN;
const shots = process.env.SCREENSHOTS || 'screenshots';
const executable = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base || !token) throw new Error('set PLAYGROUND_URL and PLAYGROUND_TOKEN');
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: executable,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await context.newPage();

const outside = [];
const refused = [];
const local = (url) => {
  const u = new URL(url);
  return ['data:', 'blob:', 'about:'].includes(u.protocol) || u.hostname === '127.0.0.1';
};
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (local(url)) return route.continue();
  outside.push(url);
  return route.abort();
});
page.on('request', (r) => local(r.url()) || outside.push(r.url()));
page.on('websocket', (ws) => local(ws.url()) || outside.push(ws.url()));
page.on('console', (m) => {
  if (m.type() === 'error') refused.push(m.text());
});
page.on('pageerror', (e) => refused.push(String(e)));

let step = 0;
const shot = async (name) => page.screenshot({ path: `${shots}/${String(++step).padStart(2, '0')}-${name}.png` });
const response = () => page.locator('.graphiql-response .view-lines').innerText().then((t) => t.replace(/\u00a0/g, ' '));
const waitFor = async (what, check, ms = 15000) => {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await check();
    if (last) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`timed out waiting for ${what}`);
};
const runOperation = async (name) => {
  await page.locator('.graphiql-execute-button').click();
  await page.getByRole('menuitem', { name, exact: true }).click();
};
const setHeaders = async (text) => {
  await page.getByRole('button', { name: 'Headers' }).click();
  const editor = page.locator('.graphiql-editor-tool .monaco-editor').last();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText(text);
};

try {
  // 1. The page opens; the docs explorer lists Query.
  await page.goto(`${base}/`);
  await page.locator('.graphiql-container').waitFor();
  await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
  await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor();
  await shot('docs-explorer');

  // 2. The sample query runs with the pre-filled token.
  await runOperation('Me');
  const me = await waitFor('the Me answer', async () => {
    const text = await response();
    return text.includes('"me"') && text;
  });
  if (!me.includes('@') || me.includes('"errors"')) throw new Error(`Me answered ${me}`);
  const stats = await page.getByTestId('response-stats').innerText();
  if (!/HTTP 200 · \d+ ms · [\d.]+ (B|KiB)/.test(stats)) throw new Error(`response figures: ${stats}`);
  await shot('query-with-demo-token');

  // 3. A token pasted without "Bearer " works as well.
  await setHeaders(JSON.stringify({ Authorization: token }));
  await page.locator('.graphiql-response').click();
  await runOperation('Me');
  await waitFor('the Me answer with a bare token', async () => {
    const text = await response();
    return text.includes('"me"') && text.includes('@') && !text.includes('"errors"');
  });
  await shot('query-with-bare-token');

  // 4. A subscription shows an event sent by a mutation.
  await page.getByRole('button', { name: 'Show Examples' }).click();
  await page.locator('[data-example="complaints"]').click();
  await page.waitForTimeout(300);
  const socket = page.waitForEvent('websocket');
  await runOperation('StatusChanges');
  await socket;
  await page.waitForTimeout(1000);
  const gql = (query, variables) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    }).then((r) => r.json());
  const filed = await gql(
    'mutation { fileComplaint(input: {category: "billing", subject: "From the browser test", description: "x"}) { trackingCode complaint { id } } }',
  );
  const code = filed?.data?.fileComplaint?.trackingCode;
  if (!code) throw new Error(`filing failed: ${JSON.stringify(filed)}`);
  const changed = await gql('mutation ($id: ID!) { changeComplaintStatus(id: $id, status: ACKNOWLEDGED) { status } }', {
    id: filed.data.fileComplaint.complaint.id,
  });
  if (changed?.data?.changeComplaintStatus?.status !== 'ACKNOWLEDGED') {
    throw new Error(`the status change failed: ${JSON.stringify(changed)}`);
  }
  await waitFor(`the event for ${code}`, async () => (await response()).includes(code));
  const live = await page.getByTestId('response-stats').innerText();
  if (!live.includes('WebSocket')) throw new Error(`subscription figures: ${live}`);
  await shot('subscription-event');

  if (outside.length) throw new Error(`requests left 127.0.0.1: ${outside.join(', ')}`);
  const csp = refused.filter((m) => /Content Security Policy|Refused to/i.test(m));
  if (csp.length) throw new Error(`the policy refused: ${csp.join(' | ')}`);
  console.log(`playground: ${step} steps passed; screenshots in ${shots}`);
} catch (e) {
  await shot('failure').catch(() => {});
  console.error(`console errors: ${refused.join(' | ')}`);
  throw e;
} finally {
  await browser.close();
}
