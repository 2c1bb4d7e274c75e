import { createHmac, randomBytes } from "node:crypto";

const base64url = (input: string | Buffer) => Buffer.from(input).toString("base64url");

/** An HS256 JWT as Supabase's legacy API keys are: `{ role, iss, iat, exp }`. */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = base64url(JSON.stringify(claims));
  const signature = createHmac("sha256", secret).update(`${header}.${body}`).digest("base64url");
  return `${header}.${body}.${signature}`;
}

export interface StackKeys {
  /** PostgREST rejects every JWT when the secret is shorter than 32 characters. */
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
}

export function makeKeys(): StackKeys {
  const jwtSecret = randomBytes(32).toString("hex");
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + 10 * 365 * 24 * 3600;
  return {
    jwtSecret,
    anonKey: signJwt({ role: "anon", iss: "supabase-local", iat, exp }, jwtSecret),
    serviceRoleKey: signJwt({ role: "service_role", iss: "supabase-local", iat, exp }, jwtSecret),
    publishableKey: `sb_publishable_${randomBytes(16).toString("base64url")}`,
    secretKey: `sb_secret_${randomBytes(16).toString("base64url")}`,
  };
}
