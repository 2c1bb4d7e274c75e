// The console on the runtime's own server, as it is: Bun.serve or Deno.serve with dashboard.fetch.
import { probeDashboard } from "./console.mjs";

const dashboard = await probeDashboard();
const { Bun, Deno } = globalThis;
if (Deno) {
  Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log(`listening on ${port}`) }, (request) =>
    dashboard.fetch(request),
  );
} else {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (request) => dashboard.fetch(request) });
  console.log(`listening on ${server.port}`);
}
