import type { AddressInfo } from "node:net";
import { expressHandler } from "@callhooks/adapter-express";
import { createDashboard } from "@callhooks/dashboard";
import { nodeHandler } from "@callhooks/dashboard/node";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler } from "@callhooks/webhook-core";
import express from "express";

const storage = createMemoryStorage(); // or createSupabaseStorage({ client }) in production
const retell = createRetellHandler({
  apiKey: process.env.RETELL_API_KEY!,
  storage,
  on: { call_ended: ({ call }) => console.log("call ended", call.call_id) },
});

const dashboard = createDashboard({
  storage,
  handlers: retell, // what Replay runs events with
  auth: { username: "admin", password: process.env.DASHBOARD_PASSWORD! },
  basePath: "/admin/callhooks",
});

const app = express();
app.post("/webhooks/retell", expressHandler(retell));
app.use("/admin/callhooks", nodeHandler(dashboard));
const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`Console: http://localhost:${(server.address() as AddressInfo).port}/admin/callhooks/`);
});
