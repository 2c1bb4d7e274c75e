import { type DurationSummary, type EventStats, type EventStatus, eventStatuses } from "@callhooks/webhook-core";
import { type Html, html } from "../html.js";

const WIDTH = 720;
const HEIGHT = 180;
const LEFT = 44;
const BOTTOM = 22;
const TOP = 8;

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const round = (n: number) => Math.round(n * 100) / 100;

/** A "nice" upper bound for an axis: 1, 2 or 5 × 10^k at or above `value`. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * Events per minute by status, as stacked bars: one bar per bucket of `stats` (a bucket of 10 minutes
 * shows its average per minute). Hand-written SVG with class names for colours: no script, no
 * inline style, so it renders under the console's Content-Security-Policy.
 */
export function eventsPerMinuteChart(stats: EventStats, range: { since: number; until: number; bucketMs: number }, id: string): Html {
  const slots = Math.max(1, Math.round((range.until - range.since) / range.bucketMs));
  const perMinute = 60_000 / range.bucketMs;
  const totals = stats.buckets.map((b) => eventStatuses.reduce((sum, s) => sum + (b.counts[s] ?? 0), 0) * perMinute);
  const max = niceMax(Math.max(0, ...totals));
  const plotW = WIDTH - LEFT - 4;
  const plotH = HEIGHT - TOP - BOTTOM;
  const slotW = plotW / slots;
  const barW = Math.max(1, slotW * 0.8);
  const y = (value: number) => TOP + plotH - (value / max) * plotH;
  const bars = stats.buckets.map((bucket) => {
    const slot = Math.floor((bucket.start - range.since) / range.bucketMs);
    const x = LEFT + slot * slotW + (slotW - barW) / 2;
    let base = 0;
    const label = `${hhmm(bucket.start)} UTC: ${eventStatuses
      .filter((s) => bucket.counts[s])
      .map((s) => `${bucket.counts[s]} ${s}`)
      .join(", ")}`;
    return html`<g><title>${label}</title>${eventStatuses.map((status: EventStatus) => {
      const n = (bucket.counts[status] ?? 0) * perMinute;
      if (!n) return "";
      const top = y(base + n);
      const rect = html`<rect class="s-${status}" x="${round(x)}" y="${round(top)}" width="${round(barW)}" height="${round(y(base) - top)}"></rect>`;
      base += n;
      return rect;
    })}</g>`;
  });
  const ticks = [0, 0.5, 1].map((f) => {
    const v = max * f;
    return html`<line class="grid" x1="${LEFT}" x2="${WIDTH - 4}" y1="${round(y(v))}" y2="${round(y(v))}"></line><text class="axis" x="${LEFT - 6}" y="${round(y(v)) + 4}" text-anchor="end">${round(v)}</text>`;
  });
  const xLabels = [0, 0.25, 0.5, 0.75, 1].map(
    (f) =>
      html`<text class="axis" x="${round(LEFT + plotW * f)}" y="${HEIGHT - 6}" text-anchor="${f === 0 ? "start" : f === 1 ? "end" : "middle"}">${hhmm(range.since + (range.until - range.since) * f)}</text>`,
  );
  return html`<svg class="chart" id="${id}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Events per minute by status">${ticks}${bars}${xLabels}</svg>`;
}

export const legend = () =>
  html`<p class="legend">${eventStatuses.map((s) => html`<span><svg width="10" height="10" aria-hidden="true"><rect class="s-${s}" width="10" height="10"></rect></svg> ${s}</span>`)}</p>`;

/** Handler duration percentiles as horizontal bars. */
export function durationChart(durations: DurationSummary, id: string): Html {
  if (durations.count === 0) return html`<p class="muted" id="${id}">No handler ran in this period.</p>`;
  const rows: Array<[string, number]> = [
    ["p50", durations.p50 ?? 0],
    ["p90", durations.p90 ?? 0],
    ["p95", durations.p95 ?? 0],
    ["p99", durations.p99 ?? 0],
    ["max", durations.max ?? 0],
  ];
  const max = niceMax(Math.max(...rows.map(([, v]) => v)));
  const rowH = 24;
  const height = rows.length * rowH + 8;
  const plotW = WIDTH - LEFT - 90;
  const format = (ms: number) => (ms < 1000 ? `${round(ms)} ms` : `${round(ms / 1000)} s`);
  return html`<svg class="chart" id="${id}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Handler duration percentiles">${rows.map(
    ([label, value], i) =>
      html`<g><title>${label}: ${format(value)}</title><text class="axis" x="${LEFT - 6}" y="${i * rowH + 20}" text-anchor="end">${label}</text><rect class="bar" x="${LEFT}" y="${i * rowH + 6}" width="${round(Math.max(1, (value / max) * plotW))}" height="${rowH - 8}"></rect><text class="value" x="${round(LEFT + Math.max(1, (value / max) * plotW) + 6)}" y="${i * rowH + 20}">${format(value)}</text></g>`,
  )}</svg><p class="muted">${durations.count.toLocaleString("en-US")} handler runs.</p>`;
}
