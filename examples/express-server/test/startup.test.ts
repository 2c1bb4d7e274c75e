import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keys } from "./helpers.js";
import { startFailure } from "./server.js";

describe("express-server refuses to start half-configured", () => {
  it("names RETELL_API_KEY, where it comes from and where to set it, and exits 1", async () => {
    const { code, output } = await startFailure({});
    expect(code).toBe(1);
    expect(output).toContain("RETELL_API_KEY is not set");
    expect(output).toContain('"webhook" badge');
    expect(output).toContain(".env");
    expect(output).not.toContain("listening");
  });

  it("reports every problem at once without repeating a value", async () => {
    const secret = `sb_secret_${randomBytes(12).toString("hex")}`;
    const { code, output } = await startFailure({
      RETELL_API_KEY: keys.apiKey,
      SUPABASE_SERVICE_ROLE_KEY: secret,
      TRUST_PROXY: "true",
      API_TOKEN: "short-token",
    });
    expect(code).toBe(1);
    expect(output).toContain("SUPABASE_URL is not set");
    expect(output).toContain("TRUST_PROXY must be the number of proxies");
    expect(output).toContain("API_TOKEN must be at least 24 characters");
    for (const value of [secret, keys.apiKey, "short-token"]) expect(output).not.toContain(value);
  });

  it("refuses a DEBUG that is neither true nor false", async () => {
    const { code, output } = await startFailure({ RETELL_API_KEY: keys.apiKey, DEBUG: "verbose" });
    expect(code).toBe(1);
    expect(output).toContain("DEBUG must be true or false");
  });

  it("refuses an allowlist entry that is not an address", async () => {
    const { code, output } = await startFailure({ RETELL_API_KEY: keys.apiKey, RETELL_ALLOWED_IPS: "100.20.5.228, retell.ai" });
    expect(code).toBe(1);
    expect(output).toContain('RETELL_ALLOWED_IPS: "retell.ai" is not an IP address');
  });
});
