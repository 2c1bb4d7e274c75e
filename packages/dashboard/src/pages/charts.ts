import type { EventStats } from "@callhooks/webhook-core";
import { type Html, html } from "../html.js";
import { durationChart, eventsPerMinuteChart, legend } from "../views/charts.js";
import { type PageContext, layout } from "../views/layout.js";

export interface ChartPeriod {
  key: string;
  title: string;
  since: number;
  until: number;
  bucketMs: number;
  stats: EventStats;
}

export function chartsPage(ctx: PageContext, periods: readonly ChartPeriod[] | null, provider: string): Html {
  const body =
    periods === null
      ? html`<p class="warning" id="no-stats">This storage does not compute statistics (<code>WebhookStorage.eventStats</code> is optional and it has none), so there are no charts. The inbox and everything else work as usual.</p>`
      : periods.map(
          (p) => html`<section class="period">
<h2>${p.title}</h2>
<h3>Events per minute by status${p.bucketMs > 60_000 ? html` <span class="muted">(averaged over ${p.bucketMs / 60_000}-minute buckets)</span>` : ""}</h3>
${eventsPerMinuteChart(p.stats, p, `events-${p.key}`)}
${legend()}
<h3>Handler duration</h3>
${durationChart(p.stats.durations, `durations-${p.key}`)}
</section>`,
        );
  return layout(
    ctx,
    "Charts",
    "charts",
    html`<h1>Charts</h1>
<form class="filters" method="get" action="${ctx.root}charts"><label>Provider<input type="text" name="provider" value="${provider}" placeholder="all"></label><button type="submit">Show</button></form>
${body}`,
  );
}
