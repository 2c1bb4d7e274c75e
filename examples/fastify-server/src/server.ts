import { WebhookConfigError } from "@callhooks/webhook-core";
import { createApp, MIGHTYCALL_PATH, RETELL_PATH } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";

/*
 * `pnpm dev` / `pnpm start`: Node loads .env itself (--env-file-if-exists), then this checks the
 * configuration and serves. A problem stops it here, before anything listens, with exit status 1.
 */
try {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host ?? "::" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const base = `http://localhost:${port}`;
  console.log(`fastify-server listening on ${base}
${config.retell ? `  Retell webhook      ${base}${RETELL_PATH}   (check it: ${base}${RETELL_PATH}/test)\n` : ""}${config.mightyCall ? `  MightyCall webhook  ${base}${MIGHTYCALL_PATH}\n` : ""}  Docs                ${base}/docs
Expose it: cloudflared tunnel --url ${base}   (or: ngrok http ${port})`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof WebhookConfigError)) throw error;
  const message = error instanceof WebhookConfigError ? `  - ${error.message.replace(/^allowedIps/, "RETELL_ALLOWED_IPS")}` : error.message;
  console.error(
    `fastify-server cannot start:\n${message}\nSet these in examples/fastify-server/.env (start from .env.example) or in the environment.`,
  );
  process.exit(1);
}
