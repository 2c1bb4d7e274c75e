import type { EventStatus } from "@callhooks/webhook-core";
import { type Html, html } from "../html.js";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `2026-03-14 10:22:05 UTC`; the page's script shows it in the reader's own time zone. */
export function time(ms: number | null): Html {
  if (ms === null) return html`<span class="muted">–</span>`;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return html`<span class="muted">–</span>`;
  const text = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
  return html`<time datetime="${d.toISOString()}">${text}</time>`;
}

export function duration(ms: number | null): Html {
  if (ms === null) return html`<span class="muted">–</span>`;
  return html`${ms < 1000 ? `${Math.round(ms * 10) / 10} ms` : `${(ms / 1000).toFixed(2)} s`}`;
}

export const statusChip = (status: EventStatus | string) => html`<span class="chip chip-${status}">${status}</span>`;

export const orNone = (value: string | null | undefined) =>
  value === null || value === undefined || value === "" ? html`<span class="muted">–</span>` : html`${value}`;
