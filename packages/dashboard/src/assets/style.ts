/** The console's stylesheet, served as `assets/dashboard.css`. */
export const DASHBOARD_CSS = `:root{--fg:#1c2330;--muted:#6b7585;--line:#e3e7ee;--bg:#f7f8fa;--card:#fff;--accent:#2f5bd3;
--pending:#7c8797;--processing:#2f7bd3;--processed:#1f9d55;--failed:#e08a00;--dead:#d23c3c;--quarantined:#8a4fd3}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
code,pre,.j{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
header.top{display:flex;align-items:center;gap:24px;padding:10px 24px;background:#141a26;color:#fff}
header.top .brand{color:#fff;font-weight:700;letter-spacing:.02em}
header.top nav a{color:#c8d0de;margin-right:16px}header.top nav a[aria-current=page]{color:#fff;font-weight:600}
.badge{margin-left:auto;font-size:12px;padding:2px 8px;border:1px solid #5b6475;border-radius:10px;color:#c8d0de}
main{padding:16px 24px 48px;max-width:1280px}
h1{font-size:22px;margin:4px 0 12px}h1 .chip{vertical-align:middle;margin-left:6px}
h2{font-size:16px;margin:24px 0 8px}h3{font-size:14px;margin:16px 0 6px}
.muted{color:var(--muted)}.crumbs{margin:0;color:var(--muted)}
.chip{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;background:var(--pending)}
.chip-processing{background:var(--processing)}.chip-processed{background:var(--processed)}.chip-failed{background:var(--failed)}
.chip-dead{background:var(--dead)}.chip-quarantined{background:var(--quarantined)}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:12px}
.count{display:inline-flex;gap:6px;align-items:center;padding:4px 10px;background:var(--card);border:1px solid var(--line);border-radius:8px;color:var(--fg)}
.count.selected{border-color:var(--accent);box-shadow:0 0 0 1px var(--accent)}
.filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end;padding:10px 12px;background:var(--card);border:1px solid var(--line);border-radius:8px;margin-bottom:12px}
.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:2px}
.filters input,.filters select{font:inherit;padding:4px 6px;border:1px solid var(--line);border-radius:6px;min-width:110px;color:var(--fg)}
button{font:inherit;padding:5px 14px;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button:disabled{opacity:.6;cursor:default}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:8px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:12px;color:var(--muted);font-weight:600}
.num{text-align:right}.empty{text-align:center;color:var(--muted);padding:24px}
tr.new{animation:flash 2s ease-out}@keyframes flash{from{background:#fff6cc}to{background:transparent}}
.pages{display:flex;gap:16px;margin-top:12px}
.live{font-size:12px;color:var(--processed)}.live::before{content:"● "}.live.stale{color:var(--muted)}
.warning{padding:8px 12px;background:#fff6e0;border:1px solid #f0d9a0;border-radius:6px}
.notice{padding:8px 12px;background:#eaf4ff;border:1px solid #b9d6f7;border-radius:6px}
.actions{display:flex;gap:12px;align-items:center;margin:8px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px}
.facts th{width:140px;color:var(--muted);font-weight:500}
pre.error,pre.raw{white-space:pre-wrap;word-break:break-word;background:#fff4f4;border:1px solid #f3caca;border-radius:6px;padding:10px;margin:0}
pre.raw{background:var(--card);border-color:var(--line)}
.issues li{margin:2px 0}
.json{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px;overflow-x:auto}
details.j{display:inline-block;vertical-align:top}.j summary{cursor:pointer;color:var(--muted)}.j ul{list-style:none;margin:0;padding-left:18px}
.j-key{color:#7a3e9d}.j-str{color:#0b7a55;white-space:pre-wrap;word-break:break-word}.j-num{color:#1d5fd1}.j-bool,.j-null{color:#b3541e}.j-redacted{color:var(--dead)}
.fields th{width:200px;font-weight:500}.fields .text{white-space:pre-wrap}
.timeline{list-style:none;padding:0;margin:0;border-left:2px solid var(--line)}
.timeline li{position:relative;margin:0 0 10px 0;padding:6px 12px;background:var(--card);border:1px solid var(--line);border-radius:8px;margin-left:14px}
.timeline li.late{border-color:var(--failed)}.timeline .when{font-size:12px;color:var(--muted)}
.timeline .set{margin-top:4px}.tag{font-size:11px;padding:1px 6px;border-radius:8px;background:#fff1d6;color:#8a5800}
.chart{width:100%;max-width:900px;background:var(--card);border:1px solid var(--line);border-radius:8px}
.chart .axis,.chart .value{font-size:11px;fill:var(--muted)}.chart .grid{stroke:var(--line)}.chart .bar{fill:var(--accent)}
.s-pending{fill:var(--pending)}.s-processing{fill:var(--processing)}.s-processed{fill:var(--processed)}
.s-failed{fill:var(--failed)}.s-dead{fill:var(--dead)}.s-quarantined{fill:var(--quarantined)}
.legend{display:flex;gap:14px;font-size:12px;color:var(--muted)}
.period{margin-bottom:28px}
`;
