// The playground page: GraphiQL 5 over the router, with the examples
// collection and a footer showing each response's status, time and size.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './playground.css';

import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { useGraphiQL, useGraphiQLActions } from '@graphiql/react';

import { readConfig, defaultHeaders } from './config.js';
import { createFetcher, stats } from './fetcher.js';
import { examples } from './examples.js';

const config = readConfig();
const fetcher = createFetcher(config);
const headers = defaultHeaders(config);

function ExamplesIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
      <path d="M4 5h16M4 12h16M4 19h10" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" />
    </svg>
  );
}

// Opens an example in a new tab, keeping the current headers.
function ExamplesPanel() {
  const { addTab } = useGraphiQLActions();
  const editors = useGraphiQL((s) => ({ query: s.queryEditor, variables: s.variableEditor, headers: s.headerEditor }));
  const open = (example) => {
    const current = editors.headers?.getValue() || headers;
    addTab();
    // The new tab's editors exist once React has rendered it.
    setTimeout(() => {
      editors.query?.setValue(example.query);
      editors.variables?.setValue('');
      editors.headers?.setValue(current);
    }, 0);
  };
  return (
    <div className="bb-examples">
      <div className="graphiql-doc-explorer-title">Examples</div>
      <p>One document per subgraph; pick the operation to run from the ▶ button's menu.</p>
      <ul>
        {examples.map((e) => (
          <li key={e.name}>
            <button type="button" className="bb-example" data-example={e.name} onClick={() => open(e)}>
              {e.name}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

const examplesPlugin = { title: 'Examples', icon: ExamplesIcon, content: ExamplesPanel };

function ResponseStats() {
  const [last, setLast] = useState(stats.last);
  useEffect(() => stats.subscribe(setLast), []);
  if (!last) return <div className="bb-stats" data-testid="response-stats">No response yet</div>;
  const size = last.bytes < 1024 ? `${last.bytes} B` : `${(last.bytes / 1024).toFixed(1)} KiB`;
  const label = last.kind === 'ws' ? `WebSocket · event ${last.events}` : `HTTP ${last.status}`;
  return (
    <div className="bb-stats" data-testid="response-stats" data-status={last.status}>
      {label} · {Math.round(last.ms)} ms · {size}
    </div>
  );
}

function Playground() {
  const first = examples.find((e) => e.name === 'tenants') ?? examples[0];
  return (
    <GraphiQL
      fetcher={fetcher}
      plugins={[examplesPlugin]}
      defaultHeaders={headers}
      defaultEditorToolsVisibility="headers"
      defaultTabs={[{ query: first?.query ?? '{ __typename }', headers }]}
      shouldPersistHeaders={false}
    >
      <GraphiQL.Logo>Backbone</GraphiQL.Logo>
      <GraphiQL.Footer>
        <ResponseStats />
      </GraphiQL.Footer>
    </GraphiQL>
  );
}

createRoot(document.getElementById('graphiql')).render(
  <StrictMode>
    <Playground />
  </StrictMode>,
);
