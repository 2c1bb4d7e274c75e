/**
 * The console's only script, served as `assets/dashboard.js` (never inline: the Content-Security-Policy
 * allows scripts from the console's own files only). It does two things: live updates of the inbox's
 * first page, and Replay. Rows come from the server already escaped; nothing here builds HTML from
 * provider text.
 */
export const DASHBOARD_JS = `"use strict";
(function () {
  var body = document.body;
  var pollMs = Number(body.getAttribute("data-poll-ms")) || 0;

  var live = document.getElementById("live");
  var rows = document.getElementById("rows");
  var counts = document.getElementById("counts");
  if (live && rows && counts && pollMs > 0) {
    var last = null;
    var tick = function () {
      fetch(live.getAttribute("data-src"), { headers: { accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          live.classList.remove("stale");
          if (data.rows !== last) {
            var seen = {};
            rows.querySelectorAll("tr[data-id]").forEach(function (tr) { seen[tr.getAttribute("data-id")] = true; });
            rows.innerHTML = data.rows;
            if (last !== null) {
              rows.querySelectorAll("tr[data-id]").forEach(function (tr) {
                if (!seen[tr.getAttribute("data-id")]) tr.classList.add("new");
              });
            }
            last = data.rows;
          }
          counts.innerHTML = data.counts;
        })
        .catch(function () { live.classList.add("stale"); })
        .then(function () { setTimeout(tick, pollMs); });
    };
    setTimeout(tick, pollMs);
  }

  var replay = document.getElementById("replay");
  var status = document.getElementById("replay-status");
  if (replay) {
    replay.addEventListener("click", function () {
      replay.disabled = true;
      if (status) status.textContent = "Replaying…";
      fetch(replay.getAttribute("data-url"), { method: "POST", headers: { "x-callhooks-dashboard": "1" }, credentials: "same-origin" })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            if (response.ok && data.outcome) {
              location.assign(replay.getAttribute("data-back") + "?replayed=" + encodeURIComponent(data.outcome));
              return;
            }
            if (status) status.textContent = "Replay refused: " + (data.details || data.error || response.status);
            replay.disabled = false;
          });
        })
        .catch(function () {
          if (status) status.textContent = "Replay failed: the server did not answer.";
          replay.disabled = false;
        });
    });
  }
})();
`;
