/**
 * The server's settings from an environment (Node's process.env, Bun's, Deno's: the entry files
 * pass it in, so this file runs anywhere). Problems name the variable, never its value.
 */

export interface Config {
  port: number;
  /** Default: every interface. */
  host: string | undefined;
  retellApiKey: string;
  /** The public origin Retell reaches; else taken from each request. */
  publicUrl: string | undefined;
  allowedIps: string[] | undefined;
  /** How many proxies stand in front of the server; 0: clients connect directly. */
  trustedProxies: number;
  /** Bearer token for GET /api/v1/calls/:id; unset: that API is off. */
  apiToken: string | undefined;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];
  const read = (name: string) => env[name]?.trim() || undefined;

  const retellApiKey = read("RETELL_API_KEY");
  if (!retellApiKey) {
    problems.push(
      'RETELL_API_KEY is not set. Use the Retell API key with the "webhook" badge (Retell dashboard → API Keys): Retell signs every webhook with it.',
    );
  }
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
    retellApiKey: retellApiKey as string,
    publicUrl: publicUrl?.replace(/\/$/, ""),
    allowedIps: read("RETELL_ALLOWED_IPS")
      ?.split(",")
      .map((ip) => ip.trim())
      .filter(Boolean),
    trustedProxies: Number(proxies),
    apiToken,
  };
}
