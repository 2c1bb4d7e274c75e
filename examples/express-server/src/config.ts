/**
 * Everything the server reads from the environment, checked once before it starts. Problems are
 * reported by variable name with what to set; values are never repeated back (they may be secrets).
 */

export interface Config {
  port: number;
  /** Default: every interface, as Node's own default. */
  host: string | undefined;
  retellApiKey: string;
  /** The public origin Retell reaches (a tunnel or your domain); else taken from each request. */
  publicUrl: string | undefined;
  /** Client addresses allowed to deliver webhooks; undefined: any (the signature is still required). */
  allowedIps: string[] | undefined;
  /** How many proxies (load balancer, tunnel) stand in front of the server; 0: clients connect directly. */
  trustedProxies: number;
  /** Supabase storage when both are set; the in-memory storage otherwise. */
  supabase: { url: string; serviceRoleKey: string } | undefined;
  /** The agent to answer inbound calls with; unset: the number's own agent. */
  inboundAgentId: string | undefined;
  /** Bearer token for the app's own read API (GET /api/v1/call-jobs/:id); unset: that API is off. */
  apiToken: string | undefined;
  /** Log each delivery's headers and body (secrets and signatures redacted) and what became of it. */
  debug: boolean;
  /** Basic credentials for the callhooks console at /admin/callhooks; unset: the console is off. */
  dashboard: { username: string; password: string } | undefined;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.map((problem) => `  - ${problem}`).join("\n"));
    this.problems = problems;
  }
}

/**
 * The FastAPI receivers' names for the same settings, read when ours is not set, so that their
 * `.env` keeps working: SERVER_URL (the port-8000 server), WEBHOOK_HOST and WEBHOOK_PORT (the
 * MongoDB one).
 */
const FORMER_NAMES: Record<string, string> = { PUBLIC_URL: "SERVER_URL", HOST: "WEBHOOK_HOST", PORT: "WEBHOOK_PORT" };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;
  const read = (name: string) => {
    const former = Object.hasOwn(FORMER_NAMES, name) ? FORMER_NAMES[name] : undefined;
    return value(name) ?? (former ? value(former) : undefined);
  };

  const retellApiKey = read("RETELL_API_KEY");
  if (!retellApiKey) {
    problems.push(
      'RETELL_API_KEY is not set. Use the Retell API key with the "webhook" badge (Retell dashboard → API Keys): Retell signs every webhook with it.',
    );
  }

  const port = Number(read("PORT") ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push("PORT (or WEBHOOK_PORT) must be a port number (0–65535).");

  const publicUrl = read("PUBLIC_URL");
  if (publicUrl && !/^https?:\/\/[^/\s]+\/?$/.test(publicUrl)) {
    problems.push("PUBLIC_URL (or SERVER_URL) must be an origin such as https://hooks.example.com (no path).");
  }

  const proxies = read("TRUST_PROXY") ?? "0";
  const trustedProxies = proxies === "false" ? 0 : Number(proxies);
  if (!/^\d+$/.test(proxies) && proxies !== "false") {
    problems.push(
      "TRUST_PROXY must be the number of proxies in front of this server (1 behind one load balancer or tunnel, 0 for none). " +
        '"true" is refused: trusting every X-Forwarded-For entry would let any client claim an allowed address.',
    );
  }

  const url = read("SUPABASE_URL");
  const serviceRoleKey = read("SUPABASE_SERVICE_ROLE_KEY");
  if (url && !serviceRoleKey) {
    problems.push(
      "SUPABASE_SERVICE_ROLE_KEY is not set but SUPABASE_URL is: set both for Supabase storage (Project Settings → API keys: the service role key), or neither for in-memory storage.",
    );
  }
  if (serviceRoleKey && !url) {
    problems.push(
      "SUPABASE_URL is not set but SUPABASE_SERVICE_ROLE_KEY is: set both for Supabase storage (Project Settings → API: the project URL), or neither for in-memory storage.",
    );
  }
  if (url && !/^https?:\/\//.test(url)) problems.push("SUPABASE_URL must be the project URL, https://<project-ref>.supabase.co.");

  const apiToken = read("API_TOKEN");
  if (apiToken && apiToken.length < 24) problems.push("API_TOKEN must be at least 24 characters (e.g. openssl rand -hex 24).");

  const debug = (read("DEBUG") ?? "false").toLowerCase();
  if (!["true", "1", "false", "0"].includes(debug)) problems.push("DEBUG must be true or false.");

  const dashboardPassword = read("DASHBOARD_PASSWORD");
  const dashboardUser = read("DASHBOARD_USER") ?? "admin";
  if (dashboardPassword && dashboardPassword.length < 16)
    problems.push("DASHBOARD_PASSWORD must be at least 16 characters (e.g. openssl rand -hex 16).");
  if (dashboardUser.includes(":")) problems.push("DASHBOARD_USER must not contain ':'.");

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host: read("HOST"),
    retellApiKey: retellApiKey as string,
    publicUrl: publicUrl?.replace(/\/$/, ""),
    allowedIps: read("RETELL_ALLOWED_IPS")
      ?.split(",")
      .map((ip) => ip.trim())
      .filter(Boolean),
    trustedProxies,
    supabase: url && serviceRoleKey ? { url, serviceRoleKey } : undefined,
    inboundAgentId: read("INBOUND_AGENT_ID"),
    apiToken,
    debug: debug === "true" || debug === "1",
    dashboard: dashboardPassword ? { username: dashboardUser, password: dashboardPassword } : undefined,
  };
}
