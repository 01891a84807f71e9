// One example document per subgraph (a query, a mutation and a
// subscription, run by name), from playground/examples/*.graphql. The
// router's tests validate every one against the live API schema.
const files = import.meta.glob('../examples/*.graphql', { query: '?raw', import: 'default', eager: true });

export const examples = Object.entries(files)
  .map(([path, text]) => ({ name: path.replace(/^.*\/(.*)\.graphql$/, '$1'), query: text }))
  .sort((a, b) => a.name.localeCompare(b.name));
