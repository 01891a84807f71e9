// Peer: HTML -> PDF in a warm headless Chromium (the usual stack of
// document platforms), the same two-page, 30-field document as
// bench-documents, one PDF at a time.
import { chromium } from 'playwright-core';

const lorem = Array.from({ length: 900 }, (_, i) => ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit'][i % 8]).join(' ');
function html(n) {
  const rows = Array.from({ length: 29 }, (_, i) => `<tr><td>Field ${i + 1}</td><td>Value of field ${i + 1}: नमस्ते, observed and recorded ${n}</td></tr>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
    body { font-family: 'Noto Sans', 'DejaVu Sans', sans-serif; font-size: 10.5pt; margin: 2cm; }
    table { border-collapse: collapse; width: 100%; } td { border: 0.4pt solid gray; padding: 2px 4px; }
  </style></head><body><h1>Discharge summary</h1><table>${rows}</table><p>${lorem}</p>
  <p>Signed: <span style="display:inline-block;width:6cm;border-bottom:0.5pt solid black">&nbsp;</span></p></body></html>`;
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--no-first-run'] });
const page = await browser.newPage();
for (let i = 0; i < 20; i++) { await page.setContent(html(i)); await page.pdf({ format: 'A4' }); }
const n = Number(process.argv[2] || 300);
const ms = [];
let bytes = 0, pages = 0;
const start = performance.now();
for (let i = 0; i < n; i++) {
  const t = performance.now();
  await page.setContent(html(i));
  const pdf = await page.pdf({ format: 'A4' });
  ms.push(performance.now() - t);
  bytes = pdf.length;
  pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
}
const total = (performance.now() - start) / 1000;
ms.sort((a, b) => a - b);
const pct = p => ms[Math.round((ms.length - 1) * p)];
console.log(`chromium ${browser.version()}: ${pages} pages, ${bytes} bytes; ${(n / total).toFixed(1)}/s, p50 ${pct(0.5).toFixed(2)} ms, p99 ${pct(0.99).toFixed(2)} ms (${n} runs)`);
await browser.close();
