// The experiment page: its components as a table (config flattened into
// columns, the last value of each record key), overlaid record curves of
// the selected components, mean and spread across repeats, and a scatter
// of a final value against a config key. Refreshed while it runs.
"use strict";

(function () {
  const expID = document.body.dataset.experiment;
  const main = document.getElementById("main");
  const maxCurves = 100; // drawn when nothing is selected: the first of the table
  let data = null; // the last answer of /api/experiments/ID
  const selected = new Set();

  const summary = el("div", { class: "summary", id: "summary" });
  const keySel = el("select", { id: "chart-key" });
  const colourSel = el("select", { id: "chart-colour" });
  const modeSel = el("select", { id: "chart-mode" },
    el("option", { value: "curves", text: "every curve" }),
    el("option", { value: "mean", text: "mean ± std across repeats" }));
  const scatterX = el("select", { id: "scatter-x" });
  const note = el("p", { class: "hint", id: "chart-note" });
  const overlay = el("div", { class: "chart", id: "overlay" });
  const overlayLegend = el("div", { id: "overlay-legend" });
  const scatter = el("div", { class: "chart", id: "scatter" });
  for (const s of [keySel, colourSel, modeSel]) s.addEventListener("change", () => drawOverlay(true));
  for (const s of [keySel, colourSel, scatterX]) s.addEventListener("change", drawScatter);

  main.replaceChildren(
    el("h1", {}, "Experiment ", el("span", { class: "mono", text: expID })),
    summary,
    section("Charts", "charts",
      el("div", { class: "controls" },
        el("label", {}, "record key ", keySel),
        el("label", {}, "colour by ", colourSel),
        el("label", {}, "show ", modeSel)),
      note, overlay, overlayLegend,
      el("div", { class: "controls" }, el("label", {}, "final value against ", scatterX)),
      scatter),
    el("h2", { text: "Components" }));

  const pick = el("button", { type: "button", id: "select-view", text: "select the filtered rows",
    onclick: () => { table.view.slice(0, 200).forEach((r) => selected.add(r.id)); table.draw(); drawOverlay(true); } });
  const clear = el("button", { type: "button", id: "select-none", text: "clear selection",
    onclick: () => { selected.clear(); table.draw(); drawOverlay(true); } });
  const table = new VTable(main, [], { id: "components", toolbar: el("span", {}, pick, clear), onView: () => { viewChanged(); } });

  function seconds(r) {
    if (r.seconds !== undefined) return r.seconds;
    if (r.state === "running" && r.started_at) return (Date.now() - new Date(r.started_at)) / 1000;
    return undefined;
  }

  function columns() {
    const cols = [
      { key: "_sel", label: "✓", noFilter: true, get: (r) => (selected.has(r.id) ? 1 : 0),
        render: (r) => el("input", { type: "checkbox", checked: selected.has(r.id), "aria-label": "select " + r.id,
          onchange: (ev) => { if (ev.target.checked) selected.add(r.id); else selected.delete(r.id); drawOverlay(true); } }) },
      { key: "id", label: "ID", render: (r) => el("a", { href: `/e/${enc(expID)}/${enc(r.id)}`, text: r.id }), cls: "mono" },
      { key: "name", label: "name" },
      { key: "state", label: "status", render: (r) => el("span", { class: "state " + r.state, text: r.state, title: r.error || "" }) },
      { key: "error", label: "note", cls: "note", render: (r) => el("span", { text: r.error || "", title: r.error || "" }) },
      { key: "repeat", label: "repeat", cls: "num" },
      { key: "seconds", label: "duration", get: seconds, render: (r) => fmtDuration(seconds(r)), cls: "num" },
      { key: "started_at", label: "started", render: (r) => fmtTime(r.started_at) },
      { key: "rows", label: "rows", title: "records saved, all scopes", cls: "num" },
    ];
    for (const k of data.config_columns) cols.push({ key: "config." + k, label: k, title: "config." + k, get: (r) => r.config[k] });
    for (const m of data.metrics) cols.push({ key: "metric." + m.name, label: m.name, title: `last ${m.key} of records ${m.scope}`, get: (r) => r.metrics[m.name], cls: "num metric" });
    return cols;
  }

  function fillSelect(sel, options, preferred) {
    const keep = sel.value;
    const values = options.map((o) => (Array.isArray(o) ? o : [o, o]));
    if (values.map((v) => v[0]).join("\0") === [...sel.options].map((o) => o.value).join("\0")) return;
    sel.replaceChildren(...values.map(([v, label]) => el("option", { value: v, text: label })));
    const want = values.some((v) => v[0] === keep) ? keep : preferred;
    if (want !== undefined && values.some((v) => v[0] === want)) sel.value = want;
  }

  function update(d) {
    data = d;
    const e = d.experiment;
    const c = d.counts;
    summary.replaceChildren(...[
      el("span", {}, "started ", el("b", { text: fmtTime(e.started_at) })),
      el("span", {}, "plan ", el("b", { text: e.plan || "-" })),
      el("span", {}, "engine ", el("b", { text: e.engine })),
      el("span", {}, "code ", el("b", { text: e.code })),
      e.location ? el("span", {}, "directory ", el("b", { text: e.location })) : null,
      el("span", { id: "counts" }, ["finished", "stopped", "failed", "running", "queued", "stale", "interrupted"]
        .filter((k) => c[k]).map((k) => `${c[k]} ${k}`).join(", ") || "no components")].filter((x) => x));
    fillSelect(keySel, d.metrics.map((m) => m.name), d.metrics.some((m) => m.name === "loss") ? "loss" : undefined);
    // colour by the first config key whose value differs between components
    const varying = d.config_columns.find((k) => new Set(d.components.map((r) => fmtValue(r.config[k]))).size > 1);
    fillSelect(colourSel, d.config_columns.map((k) => ["config." + k, k]).concat([["name", "name"], ["state", "status"]]), varying && "config." + varying);
    fillSelect(scatterX, d.config_columns.map((k) => ["config." + k, k]), varying && "config." + varying);
    table.setColumns(columns());
    table.setRows(d.components);
    main.dataset.loaded = "1";
  }

  function valueOf(row, key) {
    if (key.startsWith("config.")) return row.config[key.slice(7)];
    if (key === "state") return row.state;
    return row[key];
  }

  // The components a chart shows: the selected ones in table order,
  // else the first of the table as filtered and sorted.
  function charted() {
    const rows = selected.size ? table.view.filter((r) => selected.has(r.id)) : table.view.slice(0, maxCurves);
    return rows;
  }

  let viewTimer;
  function viewChanged() {
    clearTimeout(viewTimer);
    viewTimer = setTimeout(() => { drawOverlay(false); drawScatter(); }, 250);
  }

  let lastKey = "";
  let seriesToken = 0;
  async function drawOverlay(force) {
    if (!data) return;
    const metric = data.metrics.find((m) => m.name === keySel.value);
    const rows = charted();
    if (!metric || !rows.length) {
      overlay.replaceChildren(el("p", { class: "hint", text: metric ? "No component to draw." : "No numeric record key yet." }));
      overlay.dataset.series = "0";
      overlayLegend.replaceChildren();
      return;
    }
    const url = `/api/experiments/${enc(expID)}/series?scope=${enc(metric.scope)}&key=${enc(metric.key)}&ids=${rows.map((r) => enc(r.id)).join(",")}`;
    const key = url + "\0" + colourSel.value + "\0" + modeSel.value;
    const token = ++seriesToken;
    let s;
    try {
      s = await getJSON(url, !force && key === lastKey);
    } catch (err) {
      showError(overlay, err);
      return;
    }
    if (token !== seriesToken || s === null) return; // a newer request, or nothing changed
    lastKey = key;
    const byID = new Map(rows.map((r) => [r.id, r]));
    const members = s.ids.map((id) => byID.get(id));
    const col = colourer(members.map((r) => valueOf(r, colourSel.value)));
    const colourName = colourSel.options[colourSel.selectedIndex] ? colourSel.options[colourSel.selectedIndex].text : "";
    const rowsTotal = s.rows.reduce((a, b) => a + b, 0);
    note.textContent = `${members.length} component(s) ${selected.size ? "selected" : "(the first " + maxCurves + " rows of the table; tick rows to choose)"}, ` +
      `${rowsTotal} rows` + (s.data.downsampled ? `, drawn at ${s.data.x.length} points each (lowest and highest value per step kept)` : "");
    const xLabel = s.x_key === "_iteration" ? "_iteration" : "row";
    let series = [], bands = [];
    if (modeSel.value === "mean") {
      const groups = new Map();
      members.forEach((r, i) => { if (!groups.has(r.group)) groups.set(r.group, []); groups.get(r.group).push(i); });
      for (const idx of groups.values()) {
        const n = s.data.x.length, mean = new Array(n), hi = new Array(n), lo = new Array(n);
        for (let j = 0; j < n; j++) {
          const vals = idx.map((i) => s.data.y[i][j]).filter((v) => v !== null);
          if (!vals.length) { mean[j] = hi[j] = lo[j] = null; continue; }
          const m = vals.reduce((a, b) => a + b, 0) / vals.length;
          const sd = Math.sqrt(vals.reduce((a, b) => a + (b - m) * (b - m), 0) / vals.length);
          mean[j] = m; hi[j] = m + sd; lo[j] = m - sd;
        }
        const first = members[idx[0]];
        const c = col.color(valueOf(first, colourSel.value));
        const label = `${fmtValue(valueOf(first, colourSel.value))} (${idx.length})`;
        const base = series.length + 1; // uPlot's index: 0 is x
        series.push({ label: label + " +std", color: withAlpha(c, 0.25), width: 0.5, y: hi },
          { label: label + " -std", color: withAlpha(c, 0.25), width: 0.5, y: lo },
          { label: label + " mean", color: c, width: 2, y: mean });
        bands.push({ series: [base, base + 1], fill: withAlpha(c, 0.15) });
      }
    } else {
      series = members.map((r, i) => ({ label: r.id, color: col.color(valueOf(r, colourSel.value)), y: s.data.y[i] }));
    }
    chart(overlay, { title: `${metric.name} against ${xLabel}`, xLabel, x: s.data.x, series, bands });
    overlay.dataset.components = String(members.length);
    overlayLegend.replaceChildren(legendList(colourName, col.legend));
  }

  function drawScatter() {
    if (!data) return;
    const metric = data.metrics.find((m) => m.name === keySel.value);
    const xKey = scatterX.value;
    if (!metric || !xKey) {
      scatter.replaceChildren();
      scatter.dataset.series = "0";
      return;
    }
    const rows = table.view.filter((r) => typeof r.metrics[metric.name] === "number" && valueOf(r, xKey) !== undefined);
    const xs = rows.map((r) => valueOf(r, xKey));
    const numeric = xs.every((v) => typeof v === "number");
    const labels = numeric ? null : [...new Set(xs.map(fmtValue))].sort((a, b) => compare(a, b));
    const pos = (v) => (numeric ? v : labels.indexOf(fmtValue(v)));
    const pts = rows.map((r) => [pos(valueOf(r, xKey)), r]).sort((a, b) => a[0] - b[0]);
    const col = colourer(pts.map(([, r]) => valueOf(r, colourSel.value)));
    const groups = new Map(); // one series per colour
    pts.forEach(([, r], i) => {
      const c = col.color(valueOf(r, colourSel.value));
      if (!groups.has(c)) groups.set(c, { label: fmtValue(valueOf(r, colourSel.value)), y: new Array(pts.length).fill(null) });
      groups.get(c).y[i] = r.metrics[metric.name];
    });
    const series = [...groups.entries()].map(([c, g]) => ({ label: g.label, color: c, y: g.y }));
    const xLabel = xKey.replace(/^config\./, "");
    chart(scatter, {
      title: `final ${metric.name} against ${xLabel} (${pts.length} components)`, xLabel, x: pts.map((p) => p[0]), series, scatter: true, height: 260,
      xValues: numeric ? undefined : (u, splits) => splits.map((v) => (Number.isInteger(v) && labels[v] !== undefined ? labels[v] : "")),
    });
  }

  poll(async () => {
    const d = await getJSON(`/api/experiments/${enc(expID)}`, true);
    if (d) update(d); // a new row changes the answer (rows), and so redraws the charts
    const c = data.counts;
    return !!(c.running || c.queued);
  }, 750);
})();
