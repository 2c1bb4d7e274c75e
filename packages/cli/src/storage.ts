import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { WebhookStorage } from "@callhooks/webhook-core";
import { type CliIO, type Output, UsageError } from "./io.js";

/** The options every storage command takes. */
export const storageOptions = {
  "supabase-url": { type: "string" },
  "service-key": { type: "string" },
  schema: { type: "string" },
  storage: { type: "string" },
} as const;

export const storageHelp = `Storage (one of):
  --supabase-url <url>     your project's URL (or SUPABASE_URL), with…
  --service-key <key>      …its service role / secret key (or SUPABASE_SERVICE_ROLE_KEY;
                           prefer the variable: arguments show in \`ps\`). Never printed.
  --schema <name>          where the callhooks migration put its tables (default public)
  --storage <module>       any other WebhookStorage: a module whose default export (or
                           \`storage\` export) is the storage, or a function returning it`;

export interface OpenedStorage {
  storage: WebhookStorage;
  /** Where it is, for messages (never a key). */
  label: string;
}

const METHODS = ["claim", "complete", "fail", "claimDue", "requeue", "getEvent", "listEvents", "countEvents"] as const;

function isStorage(value: unknown): value is WebhookStorage {
  return typeof value === "object" && value !== null && METHODS.every((m) => typeof (value as Record<string, unknown>)[m] === "function");
}

async function fromModule(specifier: string, cwd: string): Promise<OpenedStorage> {
  const url = /^[a-z][\w+.-]*:/i.test(specifier)
    ? specifier
    : pathToFileURL(isAbsolute(specifier) ? specifier : resolve(cwd, specifier)).href;
  const module = (await import(url)) as Record<string, unknown>;
  let value = module.default ?? module.storage;
  if (typeof value === "function") value = await (value as () => unknown)();
  if (!isStorage(value)) {
    throw new UsageError(`${specifier} must export a WebhookStorage (default export or \`storage\`), or a function that returns one.`);
  }
  return { storage: value, label: specifier };
}

const SUPABASE_PACKAGES = ["@callhooks/storage-supabase", "@supabase/supabase-js"];

/** Whether `error` says that one of the Supabase packages is not installed. */
export function isMissingSupabase(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const notFound = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
  return (
    notFound &&
    typeof message === "string" &&
    SUPABASE_PACKAGES.some((name) => message.includes(`'${name}'`) || message.includes(`"${name}"`))
  );
}

/**
 * The Supabase packages are optional peers: `send` and `verify` never need them, so they are loaded
 * only here, and an install without them gets told what to add instead of a module-resolution trace.
 */
export async function loadSupabase(
  load: () => Promise<[typeof import("@supabase/supabase-js"), typeof import("@callhooks/storage-supabase")]> = () =>
    Promise.all([import("@supabase/supabase-js"), import("@callhooks/storage-supabase")]),
) {
  try {
    const [{ createClient }, { createSupabaseStorage }] = await load();
    return { createClient, createSupabaseStorage };
  } catch (error) {
    if (!isMissingSupabase(error)) throw error;
    throw new UsageError(
      `Reading events from Supabase needs ${SUPABASE_PACKAGES.join(" and ")} beside the CLI: npm install ${SUPABASE_PACKAGES.join(" ")} (or give --storage <module>).`,
    );
  }
}

async function fromSupabase(url: string, key: string, schema: string | undefined): Promise<OpenedStorage> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--supabase-url is not a URL: "${url}".`);
  }
  const { createClient, createSupabaseStorage } = await loadSupabase();
  const client = createClient(parsed.origin + parsed.pathname.replace(/\/$/, ""), key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  return { storage: createSupabaseStorage({ client, ...(schema !== undefined && { schema }) }), label: parsed.host };
}

/**
 * The seam between the commands and a storage: Supabase from a URL and a key, or any
 * `WebhookStorage` from a module. Commands only see the `WebhookStorage` interface.
 */
export async function openStorage(
  values: {
    "supabase-url"?: string | undefined;
    "service-key"?: string | undefined;
    schema?: string | undefined;
    storage?: string | undefined;
  },
  io: CliIO,
  output: Output,
): Promise<OpenedStorage> {
  if (values.storage !== undefined) {
    if (values["supabase-url"] !== undefined) throw new UsageError("Give --storage or --supabase-url, not both.");
    return fromModule(values.storage, io.cwd);
  }
  const url = values["supabase-url"] ?? io.env.SUPABASE_URL;
  const key = values["service-key"] ?? io.env.SUPABASE_SERVICE_ROLE_KEY;
  output.secret(key);
  if (!url || !key) {
    throw new UsageError(
      "Which storage? Give --supabase-url and --service-key (or SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY), or --storage <module>.",
    );
  }
  return fromSupabase(url, key, values.schema);
}
