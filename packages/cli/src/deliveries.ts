import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import {
  mightyCallNativeEventTypes,
  mightyCallPushEventTypes,
  RETELL_SIGNATURE_HEADER,
  retellEventTypes,
  signRetellPayload,
} from "@callhooks/webhook-core";
import { mightyCallNativeBody, mightyCallSample, retellSample } from "@callhooks/webhook-core/samples";
import { UsageError } from "./io.js";

export type Provider = "retell" | "mightycall";

/** One body to send, before it is signed. */
export interface Delivery {
  /** The sample name or the file name, for output. */
  label: string;
  provider: Provider;
  /** The exact bytes of a file, or a sample's JSON. */
  body: string | Uint8Array;
  /** MightyCall's two formats authenticate differently. */
  format?: "push" | "native";
}

const retellTypes = new Set<string>(retellEventTypes);
const pushTypes = new Set<string>(mightyCallPushEventTypes);
const nativeTypes = new Set<string>(mightyCallNativeEventTypes);

/** Every built-in sample, by provider. */
export const sampleNames = {
  retell: [...retellTypes],
  mightycall: [...pushTypes, ...nativeTypes],
};

const decoder = new TextDecoder();

/** Which provider a body is from: MightyCall native carries `EventType`, push a dotted `event`. */
function detect(json: unknown): { provider: Provider; format?: "push" | "native" } {
  if (typeof json !== "object" || json === null) return { provider: "retell" };
  const record = json as Record<string, unknown>;
  if (typeof record.EventType === "string") return { provider: "mightycall", format: "native" };
  if (typeof record.event === "string" && (pushTypes.has(record.event) || (!retellTypes.has(record.event) && record.event.includes(".")))) {
    return { provider: "mightycall", format: "push" };
  }
  return { provider: "retell" };
}

function fromFile(path: string, label: string, forced: Provider | undefined): Delivery {
  const bytes = new Uint8Array(readFileSync(path));
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch {
    json = undefined; // sent as it is: testing how the endpoint answers invalid JSON is legitimate
  }
  const found = detect(json);
  const provider = forced ?? found.provider;
  const format = provider === "mightycall" ? (found.format ?? "push") : undefined;
  return { label, provider, body: bytes, ...(format && { format }) };
}

function fromSample(name: string, forced: Provider | undefined, callId: string | undefined): Delivery {
  const options = callId === undefined ? {} : { callId };
  if (retellTypes.has(name) && forced !== "mightycall") {
    return { label: name, provider: "retell", body: JSON.stringify(retellSample(name as never, options)) };
  }
  if ((pushTypes.has(name) || nativeTypes.has(name)) && forced !== "retell") {
    const format = pushTypes.has(name) ? "push" : "native";
    return { label: name, provider: "mightycall", format, body: JSON.stringify(mightyCallSample(name as never, options)) };
  }
  throw new UsageError(
    `"${name}" is neither a file nor a built-in ${forced ?? ""} event; \`callhooks send --list\` lists them.`.replace("  ", " "),
  );
}

/** Turns `send`'s arguments into deliveries: files, every .json in a directory, or sample names. */
export function resolveDeliveries(args: string[], cwd: string, options: { provider?: Provider; callId?: string }): Delivery[] {
  const out: Delivery[] = [];
  for (const arg of args) {
    const path = resolve(cwd, arg);
    if (existsSync(path) && statSync(path).isDirectory()) {
      const names = readdirSync(path)
        .filter((name) => name.endsWith(".json"))
        .sort();
      if (names.length === 0) throw new UsageError(`${arg} has no .json files.`);
      for (const name of names) out.push(fromFile(join(path, name), join(basename(path), name), options.provider));
    } else if (existsSync(path)) {
      out.push(fromFile(path, basename(path), options.provider));
    } else {
      out.push(fromSample(arg, options.provider, options.callId));
    }
  }
  return out;
}

/** Where each kind of delivery's credential comes from: its flag, then its environment variable. */
export function credentialFor(
  delivery: Delivery,
  values: { "api-key"?: string | undefined; secret?: string | undefined },
  env: Record<string, string | undefined>,
): string | undefined {
  if (delivery.provider === "retell") return values["api-key"] ?? env.RETELL_API_KEY;
  // Each format falls back to the other flag, so one credential flag works whichever format is sent.
  if (delivery.format === "native") return values["api-key"] ?? env.MIGHTYCALL_API_KEY ?? values.secret;
  return values.secret ?? env.MIGHTYCALL_WEBHOOK_SECRET ?? values["api-key"];
}

/** A forged credential: well-formed, and wrong. */
const forged = () => `forged_${randomUUID().replaceAll("-", "")}`;

/**
 * Signs or authenticates a delivery as its provider does: Retell's `x-retell-signature` over the
 * exact bytes, MightyCall push's Bearer header, MightyCall native's `ApiKey` in the body. With
 * `bad`, the credential is forged, so a correct endpoint must answer 401.
 */
export async function authenticate(
  delivery: Delivery,
  credential: string | undefined,
  bad: boolean,
): Promise<{ headers: Record<string, string>; body: string | Uint8Array }> {
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "callhooks-cli" };
  const key = bad ? forged() : credential;
  if (delivery.provider === "retell") {
    if (!key) throw new UsageError("Retell webhooks are signed with your API key: give --api-key or RETELL_API_KEY (or --bad-signature).");
    headers[RETELL_SIGNATURE_HEADER] = await signRetellPayload(delivery.body, key);
    return { headers, body: delivery.body };
  }
  if (delivery.format === "native") {
    if (!key)
      throw new UsageError(
        "MightyCall native events carry the account's API key: give --api-key or MIGHTYCALL_API_KEY (or --bad-signature).",
      );
    const text = typeof delivery.body === "string" ? delivery.body : decoder.decode(delivery.body);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UsageError(`${delivery.label} is not JSON: a native MightyCall event's ApiKey cannot be set in it.`);
    }
    return { headers, body: mightyCallNativeBody(json, key) };
  }
  if (!key)
    throw new UsageError("MightyCall push events carry a Bearer secret: give --secret or MIGHTYCALL_WEBHOOK_SECRET (or --bad-signature).");
  headers.authorization = `Bearer ${key}`;
  return { headers, body: delivery.body };
}
