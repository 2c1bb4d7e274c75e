/**
 * HMAC-SHA256 behind a tiny interface, so the same verifier runs everywhere and tests can swap the
 * implementation. `node:crypto` is used where the runtime has it (Node, Bun, Deno, Workers with
 * `nodejs_compat`): it answers synchronously and costs a fraction of WebCrypto, whose calls are
 * asynchronous (bench/RESULTS.md, "Signature verification"). WebCrypto, with its keys cached, is the
 * fallback for runtimes without it.
 */
export type HmacMessage = string | Uint8Array;

export interface HmacSha256 {
  readonly name: "node" | "webcrypto";
  /** HMAC-SHA256 of the parts, concatenated, under `key` (UTF-8). */
  sign(key: string, parts: readonly HmacMessage[]): Uint8Array | Promise<Uint8Array>;
  /** Whether the HMAC of the parts equals `expected`, compared in constant time. */
  verify(key: string, parts: readonly HmacMessage[], expected: Uint8Array): boolean | Promise<boolean>;
}

/** The subset of `node:crypto` this package uses; declared here so the core needs no Node types. */
export interface NodeCryptoLike {
  createHmac(
    algorithm: "sha256",
    key: string | Uint8Array | object,
  ): {
    update(data: string | Uint8Array): { update(data: string | Uint8Array): unknown; digest(): Uint8Array };
    digest(): Uint8Array;
  };
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
  /** Optional: makes a `KeyObject`, which createHmac takes without re-encoding the secret. */
  createSecretKey?(key: string, encoding: "utf8"): object;
}

export function nodeHmac(nodeCrypto: NodeCryptoLike): HmacSha256 {
  // Each secret as a KeyObject, made once: createHmac given the string encodes it again on every
  // call, a measurable share of a small body's HMAC. A handful per process (the configured secrets,
  // including rotated ones); where KeyObjects are missing or refuse a secret, the string is used.
  const keys = new Map<string, string | object>();
  const keyFor = (secret: string): string | object => {
    let key = keys.get(secret);
    if (key === undefined) {
      key = secret;
      try {
        if (nodeCrypto.createSecretKey) key = nodeCrypto.createSecretKey(secret, "utf8");
      } catch {
        // e.g. an empty secret: createHmac still takes the string
      }
      if (keys.size >= 64) keys.clear();
      keys.set(secret, key);
    }
    return key;
  };
  const sign = (key: string, parts: readonly HmacMessage[]): Uint8Array => {
    const mac = nodeCrypto.createHmac("sha256", keyFor(key));
    for (let i = 0; i < parts.length; i++) mac.update(parts[i] as HmacMessage);
    return mac.digest();
  };
  return {
    name: "node",
    sign,
    verify(key, parts, expected) {
      const actual = sign(key, parts);
      return actual.length === expected.length && nodeCrypto.timingSafeEqual(actual, expected);
    },
  };
}

const encoder = new TextEncoder();

function concat(parts: readonly HmacMessage[]): Uint8Array<ArrayBuffer> {
  if (parts.length === 1 && typeof parts[0] === "string") return encoder.encode(parts[0]);
  const bytes = parts.map((part) => (typeof part === "string" ? encoder.encode(part) : part));
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of bytes) {
    out.set(b, offset);
    offset += b.byteLength;
  }
  return out;
}

/**
 * WebCrypto HMAC. Importing a key costs as much as the HMAC itself, so keys are cached per secret
 * (a handful per process: the configured secrets, including rotated ones).
 */
export function webCryptoHmac(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): HmacSha256 {
  if (!subtle) throw new Error("This runtime has neither node:crypto nor WebCrypto (crypto.subtle).");
  const keys = new Map<string, Promise<CryptoKey>>();
  const keyFor = (secret: string): Promise<CryptoKey> => {
    let key = keys.get(secret);
    if (!key) {
      if (keys.size >= 64) keys.clear();
      key = subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
      keys.set(secret, key);
    }
    return key;
  };
  return {
    name: "webcrypto",
    async sign(key, parts) {
      return new Uint8Array(await subtle.sign("HMAC", await keyFor(key), concat(parts)));
    },
    async verify(key, parts, expected) {
      // subtle.verify compares in constant time inside the platform.
      return subtle.verify("HMAC", await keyFor(key), expected as Uint8Array<ArrayBuffer>, concat(parts));
    },
  };
}

let detected: HmacSha256 | undefined;
let detecting: Promise<HmacSha256> | undefined;

function nodeCryptoSync(): NodeCryptoLike | undefined {
  // process.getBuiltinModule (Node >= 20.16, Bun, Deno, workerd with nodejs_compat) needs no import
  // statement, so bundlers for browser-like targets have nothing to resolve.
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const mod = proc?.getBuiltinModule?.("node:crypto") as NodeCryptoLike | undefined;
    if (mod && typeof mod.createHmac === "function") return mod;
  } catch {
    // not available: fall through
  }
  return undefined;
}

async function detect(): Promise<HmacSha256> {
  const sync = nodeCryptoSync();
  if (sync) return nodeHmac(sync);
  try {
    const specifier = "node:crypto";
    const mod = (await import(/* @vite-ignore */ specifier)) as NodeCryptoLike & { default?: NodeCryptoLike };
    const impl = typeof mod.createHmac === "function" ? mod : mod.default;
    if (impl && typeof impl.createHmac === "function") return nodeHmac(impl);
  } catch {
    // no node:crypto here (a Worker without nodejs_compat, a browser): use WebCrypto
  }
  return webCryptoHmac();
}

/** The fastest HMAC this runtime offers; resolved once, then returned synchronously. */
export function defaultHmac(): HmacSha256 | Promise<HmacSha256> {
  if (detected) return detected;
  const sync = nodeCryptoSync();
  if (sync) {
    detected = nodeHmac(sync);
    return detected;
  }
  detecting ??= detect().then((impl) => {
    detected = impl;
    return impl;
  });
  return detecting;
}
