/**
 * Everything the server reads from the environment, checked once before it starts. Each provider
 * is on when its secrets are set; with none, there is nothing to receive and the server refuses to
 * start. Problems name the variable, never its value.
 */

export interface Config {
  port: number;
  host: string | undefined;
  /** The public origin the providers reach; else taken from each request. */
  publicUrl: string | undefined;
  /** How many proxies stand in front of the server; 0: clients connect directly. */
  trustedProxies: number;
  /** Bearer token for GET /api/v1/calls/:provider/:id; unset: that API is off. */
  apiToken: string | undefined;
  retell: { apiKey: string; allowedIps: string[] | undefined } | undefined;
  mightyCall: { pushSecret: string | undefined; apiKey: string | undefined; orgId: string } | undefined;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const read = (name: string) => env[name]?.trim() || undefined;

  const retellKey = read("RETELL_API_KEY");
  const pushSecret = read("MIGHTYCALL_WEBHOOK_SECRET");
  const mightyCallKey = read("MIGHTYCALL_API_KEY");
  if (!retellKey && !pushSecret && !mightyCallKey) {
    problems.push(
      'Nothing to receive: set RETELL_API_KEY (the Retell API key with the "webhook" badge, Retell dashboard → API Keys), ' +
        "and/or MIGHTYCALL_WEBHOOK_SECRET (the push format's Bearer secret) or MIGHTYCALL_API_KEY (MightyCall → Integrations → API).",
    );
  }
  if (pushSecret && pushSecret.length < 24)
    problems.push("MIGHTYCALL_WEBHOOK_SECRET must be at least 24 characters (e.g. openssl rand -hex 24).");

  const port = Number(read("PORT") ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push("PORT must be a port number (0–65535).");
  const publicUrl = read("PUBLIC_URL");
  if (publicUrl && !/^https?:\/\/[^/\s]+\/?$/.test(publicUrl))
    problems.push("PUBLIC_URL must be an origin such as https://hooks.example.com (no path).");
  const proxies = read("TRUST_PROXY") ?? "0";
  if (!/^\d+$/.test(proxies)) {
    problems.push(
      'TRUST_PROXY must be the number of proxies in front of this server (1 behind one load balancer or tunnel, 0 for none), not "true".',
    );
  }
  const apiToken = read("API_TOKEN");
  if (apiToken && apiToken.length < 24) problems.push("API_TOKEN must be at least 24 characters (e.g. openssl rand -hex 24).");

  if (problems.length > 0) throw new ConfigError(problems.map((problem) => `  - ${problem}`).join("\n"));
  return {
    port,
    host: read("HOST"),
    publicUrl: publicUrl?.replace(/\/$/, ""),
    trustedProxies: Number(proxies),
    apiToken,
    retell: retellKey
      ? {
          apiKey: retellKey,
          allowedIps: read("RETELL_ALLOWED_IPS")
            ?.split(",")
            .map((ip) => ip.trim())
            .filter(Boolean),
        }
      : undefined,
    mightyCall:
      pushSecret || mightyCallKey ? { pushSecret, apiKey: mightyCallKey, orgId: read("MIGHTYCALL_ORG_ID") ?? "default" } : undefined,
  };
}
