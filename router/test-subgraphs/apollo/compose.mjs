// Composes subgraph SDLs with Apollo's composer (@apollo/composition) and
// prints the supergraph SDL, or the composition errors with exit code 1.
//
//   node compose.mjs name=path/to/a.graphql name2=path/to/b.graphql
//
// Each subgraph's URL in the supergraph is http://<name>.invalid/graphql;
// the router tests point the names at their own servers.
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const services = process.argv.slice(2).map((arg) => {
  const [name, path] = arg.split("=");
  return { name, url: `http://${name}.invalid/graphql`, typeDefs: parse(readFileSync(path, "utf8")) };
});
const result = composeServices(services);
if (result.errors && result.errors.length > 0) {
  for (const e of result.errors) console.error(e.message);
  process.exit(1);
}
for (const hint of result.hints ?? []) console.error(`hint: ${hint.toString()}`);
process.stdout.write(result.supergraphSdl);
