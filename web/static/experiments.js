// The experiments page: every experiment of the storage, newest first.
"use strict";

(function () {
  const main = document.getElementById("main");
  // counts not known yet (a large storage is counted in the background)
  const count = (k) => (r) => (r.pending ? undefined : r.counts[k] || 0);
  const columns = [
    { key: "id", label: "ID", render: (r) => el("a", { href: "/e/" + enc(r.id), text: r.id }) },
    { key: "started_at", label: "started", get: (r) => r.started_at, render: (r) => fmtTime(r.started_at) },
    { key: "plan", label: "plan" },
    { key: "location", label: "directory" },
    { key: "components", label: "components", cls: "num", get: (r) => (r.pending ? undefined : r.components), render: (r) => (r.pending ? "…" : String(r.components)) },
    { key: "finished", label: "finished", get: count("finished"), cls: "num" },
    { key: "stopped", label: "stopped", get: count("stopped"), cls: "num", title: "tuning trials their scheduler ended early" },
    { key: "failed", label: "failed", get: count("failed"), cls: "num" },
    { key: "running", label: "running", get: count("running"), cls: "num" },
    { key: "queued", label: "queued", get: count("queued"), cls: "num" },
    { key: "code", label: "code", title: "short commit; * when the work tree was dirty; - outside git" },
    { key: "error", label: "note", get: (r) => r.error || (r.counts.stale ? r.counts.stale + " stale" : ""), cls: "note" },
  ];
  main.replaceChildren(el("h1", { text: "Experiments" }));
  const table = new VTable(main, columns, { id: "experiments", sortKey: "started_at", sortDir: -1 });
  poll(async () => {
    const data = await getJSON("/api/experiments", true);
    if (data) {
      table.setRows(data.experiments);
      main.dataset.loaded = "1";
    }
    return table.rows.some((r) => r.pending || r.counts.running || r.counts.queued);
  }, 2000, 5000);
})();
