import { createServer } from "node:http";
import { WebhookConfigError } from "@callhooks/webhook-core";
import { createApp, DASHBOARD_PATH, FORMER_RETELL_PATH, RETELL_PATH } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { createRetell } from "./retell.ts";
import { createBackend, StartupError } from "./storage.ts";

/*
 * `pnpm dev` / `pnpm start`: Node loads .env itself (--env-file-if-exists), then this checks the
 * configuration and serves. A problem stops it here with exit status 1 and what to set, before
 * anything listens: a webhook receiver that starts half-configured loses events.
 */
try {
  const config = loadConfig();
  const backend = await createBackend(config);
  const app = createApp(config, backend, createRetell(config, backend));

  const server = createServer(app);
  server.on("error", (error) => {
    console.error(`express-server cannot listen: ${error.message}`);
    process.exit(1);
  });
  server.listen({ port: config.port, host: config.host }, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const base = `http://localhost:${port}`;
    console.log(`express-server listening on ${base} (storage: ${backend.kind}, IP allowlist: ${config.allowedIps ? "on" : "off"}${config.debug ? ", debug log on" : ""})
  Retell webhook  ${base}${RETELL_PATH}   (also ${base}${FORMER_RETELL_PATH})
  Check it        ${base}${RETELL_PATH}/test
  Docs            ${base}/docs   (also /redoc)
  Console         ${config.dashboard ? `${base}${DASHBOARD_PATH}/   (user ${config.dashboard.username}, DASHBOARD_PASSWORD)` : "off (set DASHBOARD_PASSWORD to turn it on)"}
Expose it to Retell: cloudflared tunnel --url ${base}   (or: ngrok http ${port})`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof StartupError || error instanceof WebhookConfigError)) throw error;
  const message = error instanceof WebhookConfigError ? `  - ${error.message.replace(/^allowedIps/, "RETELL_ALLOWED_IPS")}` : error.message;
  console.error(
    `express-server cannot start:\n${message}\nSet these in examples/express-server/.env (start from .env.example) or in the environment.`,
  );
  process.exit(1);
}
