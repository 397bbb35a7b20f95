// The component page: status (with the error of a failed one), config,
// flags, host, its records per scope (charts, table, downloads), its log
// and output (followed while it runs) and its stored files.
"use strict";

(function () {
  const expID = document.body.dataset.experiment;
  const compID = document.body.dataset.component;
  const base = `/api/experiments/${enc(expID)}/${enc(compID)}`;
  const main = document.getElementById("main");
  const status = el("div", { id: "status" });
  const config = el("div", { id: "config-box" });
  const flags = el("div", { id: "flags-box" });
  const host = el("div", { id: "host-box" });
  const records = el("div", { id: "records-box" });
  const store = el("div", { id: "store-box" });
  const logs = {
    "log.txt": { pre: el("pre", { class: "log", id: "log" }), offset: 0 },
    "output.log": { pre: el("pre", { class: "log", id: "output" }), offset: 0 },
  };
  main.replaceChildren(
    el("h1", { id: "title" }, "Component ", el("span", { class: "mono", text: compID })),
    section("Status", "status-section", status),
    section("Records", "records", records),
    section("Log", "log-section", logs["log.txt"].pre),
    section("Output", "output-section", logs["output.log"].pre),
    el("div", { class: "cols" }, section("Config", "config", config), section("Flags", "flags", flags)),
    el("div", { class: "cols" }, section("Host", "host", host), section("Stored", "store", store)));

  let scope = null; // the scope shown
  const tableRows = 10000; // the records table shows the last rows of a long scope
  const scopeBox = { tabs: el("div", { class: "tabs", id: "scopes" }), charts: el("div", { class: "charts", id: "record-charts" }), downloads: el("p", { class: "downloads" }), table: null, tableBox: el("div", { id: "records-table-box" }), tableNote: el("p", { class: "hint", id: "records-note" }) };
  records.append(scopeBox.tabs, scopeBox.downloads, scopeBox.charts, scopeBox.tableNote, scopeBox.tableBox);

  function showStatus(d) {
    const st = d.status;
    const dur = st.started_at ? ((st.finished_at ? new Date(st.finished_at) : d.state === "running" ? new Date() : new Date(st.heartbeat_at || st.started_at)) - new Date(st.started_at)) / 1000 : undefined;
    const t = el("table", { class: "kv" });
    const row = (k, v) => { if (v !== undefined && v !== "" && v !== null) t.append(el("tr", {}, el("th", { text: k }), el("td", {}, v))); };
    row("name", d.name);
    row("status", el("span", { class: "state " + d.state, id: "state", text: d.state }));
    row("started", fmtTime(st.started_at));
    row("finished", fmtTime(st.finished_at));
    row("duration", fmtDuration(dur));
    row("last heartbeat", fmtTime(st.heartbeat_at));
    row("process", st.host ? `${st.host} pid ${st.pid}` : "");
    row("requeues", st.requeues);
    const parts = [t];
    if (st.error) parts.push(el("h3", { text: "Error" }), el("pre", { class: "error", id: "error", text: st.error }));
    status.replaceChildren(...parts);
  }

  function showStore(d) {
    const parts = [];
    if (d.store_values && Object.keys(d.store_values).length) parts.push(el("h3", { text: "store.json" }), kv(d.store_values, "store-values"));
    if (d.store_files.length) {
      const ul = el("ul", { id: "store-files" });
      for (const f of d.store_files) ul.append(el("li", {}, el("a", { href: `${base}/store/${f.split("/").map(enc).join("/")}`, download: f.split("/").pop(), text: f })));
      parts.push(el("h3", { text: "store/" }), ul);
    }
    if (d.data_files && d.data_files.length) parts.push(el("h3", { text: "data/" }), el("ul", {}, ...d.data_files.map((f) => el("li", { text: f }))));
    store.replaceChildren(...(parts.length ? parts : [el("p", { class: "hint", text: "Nothing stored." })]));
  }

  function showScopes(d) {
    if (!d.scopes.length) {
      scopeBox.tabs.replaceChildren(el("p", { class: "hint", text: "No records yet." }));
      return;
    }
    if (!scope || !d.scopes.some((s) => s.name === scope)) scope = d.scopes.some((s) => s.name === "default") ? "default" : d.scopes[0].name;
    scopeBox.tabs.replaceChildren(...d.scopes.map((s) => el("button", { type: "button", class: s.name === scope ? "tab on" : "tab", "data-scope": s.name,
      onclick: () => { scope = s.name; refreshRecords(true); showScopes(d); } }, `${s.name} (${s.rows})`)));
    const broken = d.scopes.find((s) => s.name === scope).error;
    if (broken) scopeBox.tabs.append(el("p", { class: "error", id: "records-error", text: broken }));
    const url = `${base}/records/${enc(scope)}`;
    scopeBox.downloads.replaceChildren("Download: ",
      el("a", { href: url + "?format=csv", id: "download-csv", text: "CSV" }), " · ",
      el("a", { href: url + "?format=json&download=1", id: "download-json", text: "JSON" }));
  }

  async function refreshRecords(force) {
    if (!scope) return;
    const [series, rows] = await Promise.all([
      getJSON(`${base}/series/${enc(scope)}`, !force),
      getJSON(`${base}/records/${enc(scope)}?tail=${tableRows}`, !force),
    ]);
    if (series) {
      // one chart per numeric key, kept across polls while the keys stay
      const sig = scope + "\0" + series.keys.join("\0");
      if (scopeBox.charts.dataset.sig !== sig) {
        scopeBox.charts.dataset.sig = sig;
        scopeBox.charts.replaceChildren(...series.keys.map((k) => el("div", { class: "chart small", "data-key": k })));
        if (!series.keys.length) scopeBox.charts.append(el("p", { class: "hint", text: "No numeric key to draw." }));
      }
      const boxes = scopeBox.charts.querySelectorAll(".chart");
      series.keys.forEach((k, i) => {
        chart(boxes[i], { title: k, xLabel: series.x_key, x: series.data.x, series: [{ label: k, color: palette[i % palette.length], y: series.data.y[i] }], height: 200 });
      });
    }
    if (rows) {
      const cols = rows.keys.map((k) => ({ key: k, label: k, get: (r) => r[k], cls: "" }));
      if (!scopeBox.table || force) {
        scopeBox.tableBox.replaceChildren();
        scopeBox.table = new VTable(scopeBox.tableBox, cols, { id: "records-table" });
      } else scopeBox.table.setColumns(cols);
      scopeBox.table.setRows(rows.rows.map((r, i) => Object.assign({ id: String(rows.first + i) }, r)));
      scopeBox.tableNote.textContent = rows.first ? `The last ${rows.rows.length} of ${rows.total} rows; the downloads have all.` : "";
    }
  }

  async function followLog(name) {
    const l = logs[name];
    const d = await getJSON(`${base}/log/${enc(name)}?offset=${l.offset}`);
    if (d.text) {
      const atEnd = l.pre.scrollTop + l.pre.clientHeight >= l.pre.scrollHeight - 4;
      l.pre.append(document.createTextNode(d.text));
      if (atEnd) l.pre.scrollTop = l.pre.scrollHeight;
    }
    if (!l.pre.textContent) l.pre.textContent = "";
    l.pre.classList.toggle("empty", !l.pre.textContent);
    l.offset = d.offset;
  }

  let first = true;
  poll(async () => {
    // the logs are asked for alongside, not after: one round trip less
    const following = Promise.all(Object.keys(logs).map(followLog));
    const d = await getJSON(base, true);
    if (d) {
      document.getElementById("title").replaceChildren("Component ", el("span", { class: "mono", text: compID }), " ", el("span", { class: "name", text: d.name }));
      showStatus(d);
      if (first) {
        config.replaceChildren(kv(d.config, "config-table"));
        flags.replaceChildren(kv(d.flags, "flags-table"));
      }
      host.replaceChildren(d.host ? kv(d.host, "host-table") : el("p", { class: "hint", text: "Not recorded (no host.json)." }));
      showStore(d);
      showScopes(d);
      await refreshRecords(first).catch((e) => showError(scopeBox.charts, e)); // a broken records file: said there
      first = false;
    }
    await following;
    main.dataset.loaded = "1";
    const st = document.getElementById("state");
    return st && (st.textContent === "running" || st.textContent === "queued");
  }, 750);
})();
