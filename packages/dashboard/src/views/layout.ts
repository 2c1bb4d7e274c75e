import { type Html, html } from "../html.js";

export interface PageContext {
  /** Relative path from this page to the console's root ("./", "../", …): works behind any proxy prefix. */
  root: string;
  readOnly: boolean;
  pollMs: number;
}

export function layout(ctx: PageContext, title: string, active: "inbox" | "charts" | "", body: Html): Html {
  const link = (href: string, label: string, name: string) =>
    html`<a href="${ctx.root}${href}" ${active === name ? html`aria-current="page"` : ""}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · callhooks</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ctx.root}assets/dashboard.css">
<script src="${ctx.root}assets/dashboard.js" defer></script>
</head>
<body data-root="${ctx.root}" data-poll-ms="${ctx.pollMs}">
<header class="top">
<a class="brand" href="${ctx.root}">callhooks</a>
<nav>${link("", "Inbox", "inbox")}${link("charts", "Charts", "charts")}</nav>
${ctx.readOnly ? html`<span class="badge">read-only</span>` : ""}
</header>
<main>
${body}
</main>
</body>
</html>
`;
}
