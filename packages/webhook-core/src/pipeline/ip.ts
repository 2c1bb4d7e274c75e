import { WebhookConfigError } from "../errors.js";
import type { IncomingWebhook, PipelineOptions } from "./types.js";
import { headerReader } from "./http.js";

/** An address as 16 bytes (IPv4 as IPv4-mapped IPv6, so `::ffff:1.2.3.4` and `1.2.3.4` are one). */
type Address = Uint8Array;

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

export function parseAddress(input: string): Address | undefined {
  let text = input.trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const v4 = parseIPv4(text);
  if (v4) return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]);
  if (!text.includes(":")) return undefined;

  let tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  const maybeV4 = parseIPv4(text.slice(lastColon + 1));
  if (maybeV4) {
    tail = maybeV4;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const group = (s: string) => (s === "" ? [] : s.split(":"));
  const head = group(halves[0] as string);
  const rest = halves.length === 2 ? group(halves[1] as string) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i] as string;
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const n = Number.parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  }
  if (maybeV4) out.set(tail, 12);
  return out;
}

interface Range {
  base: Address;
  bits: number;
}

function parseRange(entry: string): Range {
  const parts = entry.split("/");
  const [addr, prefix] = parts;
  const base = parts.length <= 2 ? parseAddress(addr ?? "") : undefined;
  if (!base) throw new WebhookConfigError(`allowedIps: "${entry}" is not an IP address or CIDR range.`);
  const isV4 = parseIPv4((addr ?? "").trim()) !== undefined;
  const max = isV4 ? 32 : 128;
  // Digits only: Number("") is 0, and "/" alone would otherwise allow every address.
  const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix.trim()) ? Number(prefix) : Number.NaN;
  if (!Number.isInteger(bits) || bits < 0 || bits > max) {
    throw new WebhookConfigError(`allowedIps: "${entry}" has an invalid prefix length.`);
  }
  return { base, bits: isV4 ? bits + 96 : bits };
}

function inRange(address: Address, range: Range): boolean {
  const full = range.bits >> 3;
  for (let i = 0; i < full; i++) if (address[i] !== range.base[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((address[full] as number) & mask) === ((range.base[full] as number) & mask);
}

/**
 * Builds the address check from `allowedIps` and `clientAddress`. Returns undefined when no
 * allowlist is configured. Fails closed: an address that cannot be determined is not allowed.
 */
export function createIpCheck(options: PipelineOptions): ((request: IncomingWebhook) => boolean) | undefined {
  if (!options.allowedIps) return undefined;
  const ranges = options.allowedIps.map(parseRange);
  const source = options.clientAddress ?? "remote";
  const proxies = typeof source === "object" && source.trustedProxies ? source.trustedProxies.map(parseRange) : undefined;
  const fromProxy = (remote: string | undefined): boolean => {
    const address = remote ? parseAddress(remote) : undefined;
    return address !== undefined && (proxies ?? []).some((range) => inRange(address, range));
  };
  const clientOf = (request: IncomingWebhook): string | undefined => {
    if (source === "remote") return request.remoteAddress;
    if (typeof source === "function") return source(request);
    // A direct connection's headers are the client's own words: only the socket peer counts.
    if (proxies && !fromProxy(request.remoteAddress)) return request.remoteAddress;
    const value = headerReader(request.headers)(source.header);
    if (!value) return undefined;
    const hops = source.hops ?? 1;
    const list = value.split(",").map((s) => s.trim());
    return list[list.length - hops];
  };
  return (request) => {
    const client = clientOf(request);
    const address = client ? parseAddress(client) : undefined;
    return address !== undefined && ranges.some((range) => inRange(address, range));
  };
}
