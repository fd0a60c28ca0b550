// slaguard pages: a few lines of plain JavaScript, no build step.
"use strict";

// The board fetches its rows every 3 seconds and swaps them in place, keeping the
// keyboard focus on the ticket link it was on.
(function () {
  const table = document.getElementById("board");
  if (!table) return;
  const tbody = document.getElementById("board-rows");
  const status = document.getElementById("board-status");
  const every = 3000;
  async function refresh() {
    try {
      const resp = await fetch(table.dataset.rows, { credentials: "same-origin", headers: { "Accept": "text/html" } });
      if (resp.redirected || resp.status === 401) { window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search)); return; }
      if (!resp.ok) return;
      const html = await resp.text();
      const focused = document.activeElement && document.activeElement.closest("tr[data-ticket]");
      const key = focused ? focused.dataset.ticket : null;
      tbody.innerHTML = html;
      const meta = resp.headers.get("X-Board-Status");
      if (meta && status) status.textContent = meta;
      if (key) {
        const row = tbody.querySelector('tr[data-ticket="' + CSS.escape(key) + '"] a');
        if (row) row.focus();
      }
    } catch (e) {
      // offline for a moment: the next round tries again
    } finally {
      setTimeout(refresh, every);
    }
  }
  setTimeout(refresh, every);
})();
