import { timingSafeEqualStrings } from "@callhooks/webhook-core";
import type { DashboardAuth } from "./types.js";

export type Authorize = (request: Request) => Promise<boolean>;

/** Decodes `Authorization: Basic …` into "user:password" (UTF-8), or null. */
function basicCredentials(header: string | null): string | null {
  const encoded = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "")?.[1];
  if (!encoded) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** Turns the `auth` option into one check; throws when it is missing or unusable. */
export function authorizer(auth: DashboardAuth | undefined): { authorize: Authorize; basic: boolean } {
  if (typeof auth === "function") {
    return {
      basic: false,
      // A check that throws denies: an error in the app's session code must not open the console.
      authorize: async (request) => {
        try {
          return (await auth(request)) === true;
        } catch {
          return false;
        }
      },
    };
  }
  if (!auth || typeof auth !== "object" || typeof auth.username !== "string" || typeof auth.password !== "string") {
    throw new TypeError(
      "createDashboard needs `auth`: { username, password } for HTTP Basic, or a function (request) => boolean for your own session check. The console shows every delivery, so it is never open.",
    );
  }
  if (auth.password.length < 8 || auth.username.length === 0 || auth.username.includes(":")) {
    throw new TypeError("Basic auth needs a username without ':' and a password of at least 8 characters.");
  }
  const expected = `${auth.username}:${auth.password}`;
  return {
    basic: true,
    // Constant time over the whole "user:password", whatever part differs.
    authorize: async (request) => timingSafeEqualStrings(basicCredentials(request.headers.get("authorization")) ?? "", expected),
  };
}
