import type { WebhookHandler, WebhookStorage } from "@callhooks/webhook-core";

/** HTTP Basic credentials, compared in constant time. */
export interface BasicAuth {
  username: string;
  password: string;
}

/**
 * Who may use the console: Basic credentials, or the app's own check (a session cookie, a header set
 * by an authenticating proxy…) that answers whether this request is allowed.
 */
export type DashboardAuth = BasicAuth | ((request: Request) => boolean | Promise<boolean>);

export interface DashboardOptions {
  /** The storage the handlers record into; the console reads it through the storage contract only. */
  storage: WebhookStorage;
  /**
   * The provider handlers (`createRetellHandler`, `createMightyCallHandler`) Replay runs events with.
   * Without one for an event's provider, Replay only requeues it for the app's workers.
   */
  handlers?: WebhookHandler | readonly WebhookHandler[];
  /** Required: the console shows every delivery. */
  auth: DashboardAuth;
  /** The path the console is mounted at, as the app sees it: `/admin/callhooks`. Default `/`. */
  basePath?: string;
  /** No Replay: the console changes nothing. */
  readOnly?: boolean;
  /**
   * Origins (besides the request's own host) that may send Replay, e.g. when a proxy rewrites Host:
   * `["https://admin.example.com"]`.
   */
  allowedOrigins?: readonly string[];
  /** How often the inbox looks for new deliveries (ms); 0 turns live updates off. Default 3 000. */
  pollMs?: number;
  /** Told when the storage fails; the page only says that it did. Default `console.error`. */
  onError?: (error: unknown) => void;
  /** The clock (epoch ms), for tests. */
  now?: () => number;
}

export interface Dashboard {
  /** Answers any request under `basePath`; anything else gets 404. */
  fetch(request: Request): Promise<Response>;
  /** The normalised mount path (no trailing slash; `""` for the root). */
  readonly basePath: string;
}
