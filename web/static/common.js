// Shared by the pages: building DOM from data (always as text: nothing
// from the storage is ever parsed as HTML), fetching JSON with ETags for
// polling, a virtualised table that stays fast at 10,000 rows, and charts
// with uPlot.
"use strict";

// el makes an element; children are nodes or strings (as text nodes).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const enc = encodeURIComponent;

// getJSON fetches an endpoint; with a previous ETag it returns null when
// nothing changed (304).
const etags = new Map();
async function getJSON(url, poll) {
  const headers = {};
  if (poll && etags.has(url)) headers["If-None-Match"] = etags.get(url);
  const res = await fetch(url, { headers });
  if (res.status === 304) return null;
  const body = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) throw new Error(body.error || res.statusText);
  const tag = res.headers.get("ETag");
  if (tag) etags.set(url, tag);
  return body;
}

function showError(where, err) {
  where.replaceChildren(el("p", { class: "error", text: String(err && err.message || err) }));
}

// poll calls fn now and again after each run, sooner while something
// runs: fn returns true when the page shows something live. A refresh
// that takes long (a huge storage: a second or more) spaces the next ones
// out, to about twice its duration, so a page never keeps the server busy.
function poll(fn, fast = 1000, slow = 5000) {
  const live = document.getElementById("live");
  let timer;
  const tick = async () => {
    const start = performance.now();
    let running = false;
    try {
      running = await fn();
      live.textContent = running ? "● live" : "";
      live.classList.remove("stale");
    } catch (e) {
      live.textContent = "● " + (e.message || e);
      live.classList.add("stale");
      const main = document.getElementById("main");
      if (!main.dataset.loaded) showError(main, e); // nothing shown yet: say why
    }
    timer = setTimeout(tick, Math.max(running ? fast : slow, 2 * (performance.now() - start) - 500));
  };
  tick();
  return () => clearTimeout(timer);
}

// Formatting.
function fmtTime(s) {
  if (!s) return "";
  const d = new Date(s);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
function fmtDuration(sec) {
  if (sec === undefined || sec === null || isNaN(sec)) return "";
  if (sec < 60) return sec.toFixed(sec < 10 ? 2 : 1) + " s";
  if (sec < 3600) return Math.floor(sec / 60) + " min " + Math.round(sec % 60) + " s";
  return Math.floor(sec / 3600) + " h " + Math.round((sec % 3600) / 60) + " min";
}
function fmtValue(v) {
  if (v === undefined) return "";
  if (v === null) return "None";
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(4) : String(+v.toPrecision(6));
  }
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

// Filters: "loss<0.5", ">3", "=finished", "!=failed" compare; anything
// else matches as text, case-insensitively.
function parseFilter(text) {
  text = text.trim();
  if (!text) return null;
  const m = /^(<=|>=|!=|<|>|=)\s*(.*)$/.exec(text);
  if (m) {
    const [, op, rhs] = m;
    const num = rhs !== "" && !isNaN(+rhs) ? +rhs : null;
    return (v) => {
      if (num !== null && typeof v === "number") {
        switch (op) {
          case "<": return v < num; case ">": return v > num; case "<=": return v <= num;
          case ">=": return v >= num; case "=": return v === num; case "!=": return v !== num;
        }
      }
      const s = fmtValue(v);
      if (op === "=") return s === rhs;
      if (op === "!=") return s !== rhs;
      if (v === undefined || v === null) return false;
      return op === "<" ? s < rhs : op === ">" ? s > rhs : op === "<=" ? s <= rhs : s >= rhs;
    };
  }
  const low = text.toLowerCase();
  return (v) => fmtValue(v).toLowerCase().includes(low);
}

function compare(a, b) {
  const na = a === undefined || a === null, nb = b === undefined || b === null;
  if (na || nb) return na && nb ? 0 : na ? 1 : -1; // missing last
  if (typeof a === "number" && typeof b === "number") return a - b;
  return fmtValue(a).localeCompare(fmtValue(b), undefined, { numeric: true });
}

// VTable is a table that renders only the rows in view, so 10,000 rows
// sort, filter and scroll at once. columns: [{key, label, get(row),
// render(row) -> node or string, title}]. Each column has a filter box;
// a box above filters on any column.
class VTable {
  constructor(parent, columns, opts = {}) {
    this.columns = columns;
    this.opts = opts;
    this.rowHeight = 26;
    this.rows = [];
    this.view = [];
    this.sortKey = opts.sortKey || null;
    this.sortDir = opts.sortDir || 1;
    this.filters = {};
    this.all = null;
    const id = opts.id || "table";
    this.search = el("input", { type: "search", placeholder: "filter all columns", id: id + "-filter", oninput: () => { this.all = parseFilter(this.search.value); this.refresh(); } });
    this.count = el("span", { class: "count", id: id + "-count" });
    this.scroller = el("div", { class: "vscroll", id: id });
    this.table = el("table", { class: "grid" });
    this.thead = el("thead");
    this.tbody = el("tbody");
    this.table.append(this.thead, this.tbody);
    this.scroller.append(this.table);
    this.scroller.addEventListener("scroll", () => this.draw());
    window.addEventListener("resize", () => this.draw());
    parent.append(el("div", { class: "tablebar" }, this.search, this.count, opts.toolbar || null), this.scroller);
    this.header();
  }
  setColumns(columns) {
    const keys = columns.map((c) => c.key).join("\0");
    if (keys === this.columns.map((c) => c.key).join("\0")) return;
    this.columns = columns;
    this.header();
    this.refresh();
  }
  header() {
    const names = el("tr");
    const boxes = el("tr", { class: "filters" });
    for (const c of this.columns) {
      const arrow = this.sortKey === c.key ? (this.sortDir > 0 ? " ▲" : " ▼") : "";
      names.append(el("th", { title: c.title || c.label, "data-key": c.key, onclick: () => this.sortBy(c.key) }, c.label + arrow));
      const box = el("input", { type: "text", size: 1, placeholder: c.noFilter ? "" : "filter", value: this.filters[c.key] ? this.filters[c.key].text : "",
        oninput: () => { const f = parseFilter(box.value); if (f) this.filters[c.key] = { f, text: box.value }; else delete this.filters[c.key]; this.refresh(); } });
      if (c.noFilter) box.disabled = true;
      boxes.append(el("th", {}, box));
    }
    this.thead.replaceChildren(names, boxes);
  }
  sortBy(key) {
    if (this.sortKey === key) this.sortDir = -this.sortDir;
    else { this.sortKey = key; this.sortDir = 1; }
    this.header();
    this.refresh();
  }
  setRows(rows) { this.rows = rows; this.refresh(); }
  value(c, row) { return c.get ? c.get(row) : row[c.key]; }
  refresh() {
    const active = Object.entries(this.filters).map(([k, v]) => [this.columns.find((c) => c.key === k), v.f]).filter(([c]) => c);
    let view = this.rows.filter((r) => active.every(([c, f]) => f(this.value(c, r))) &&
      (!this.all || this.columns.some((c) => !c.noFilter && this.all(this.value(c, r)))));
    const c = this.columns.find((c) => c.key === this.sortKey);
    if (c) {
      const d = this.sortDir;
      const missing = (v) => v === undefined || v === null;
      view = view.map((r, i) => [r, this.value(c, r), i]).sort((a, b) => {
        if (missing(a[1]) || missing(b[1])) return missing(a[1]) === missing(b[1]) ? a[2] - b[2] : missing(a[1]) ? 1 : -1; // last either way
        return d * compare(a[1], b[1]) || a[2] - b[2];
      }).map((p) => p[0]);
    }
    this.view = view;
    this.count.textContent = view.length === this.rows.length ? `${this.rows.length} rows` : `${view.length} of ${this.rows.length} rows`;
    this.draw();
    if (this.opts.onView) this.opts.onView(view);
  }
  draw() {
    const h = this.rowHeight;
    const top = this.scroller.scrollTop;
    // the box grows with its rows up to its max-height: draw for that
    const height = Math.max(this.scroller.clientHeight, window.innerHeight);
    const first = Math.max(0, Math.floor(top / h) - 10);
    const last = Math.min(this.view.length, Math.ceil((top + height) / h) + 10);
    const frag = document.createDocumentFragment();
    frag.append(el("tr", { class: "spacer", style: `height:${first * h}px` }));
    for (let i = first; i < last; i++) {
      const row = this.view[i];
      const tr = el("tr", { "data-id": row.id });
      for (const c of this.columns) {
        const v = c.render ? c.render(row) : fmtValue(this.value(c, row));
        tr.append(el("td", { class: c.cls }, v));
      }
      frag.append(tr);
    }
    frag.append(el("tr", { class: "spacer", style: `height:${(this.view.length - last) * h}px` }));
    this.tbody.replaceChildren(frag);
  }
}

// Colours: a categorical palette, and a ramp for many numeric values.
const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
function ramp(t) { // blue to yellow (viridis-like), t in [0, 1]
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1), i = Math.min(Math.floor(x), stops.length - 2), f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + f * (stops[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
function withAlpha(color, a) {
  if (color.startsWith("#")) {
    const n = parseInt(color.slice(1), 16);
    return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${a})`;
  }
  return color.replace("rgb(", "rgba(").replace(")", `,${a})`);
}

// colourer maps the values of a key to colours: a palette for up to ten
// values, a ramp for more numbers. Returns {color(v), legend: [[v, c]]}.
function colourer(values) {
  const distinct = [...new Set(values.map((v) => fmtValue(v)))];
  const nums = values.every((v) => typeof v === "number");
  if (distinct.length > palette.length && nums) {
    const lo = Math.min(...values), hi = Math.max(...values);
    const color = (v) => ramp(hi > lo ? (v - lo) / (hi - lo) : 0);
    return { color, legend: [[lo, color(lo)], [hi, color(hi)]] };
  }
  const sorted = distinct.slice().sort((a, b) => compare(isNaN(+a) ? a : +a, isNaN(+b) ? b : +b));
  const idx = new Map(sorted.map((v, i) => [v, i]));
  const color = (v) => palette[idx.get(fmtValue(v)) % palette.length];
  return { color, legend: sorted.slice(0, 20).map((v) => [v, palette[idx.get(v) % palette.length]]) };
}

// chart draws series on one x axis with uPlot into box, replacing what
// was there; box gets data-series (how many) for tests and tools.
// series: [{label, color, width, y, dash, band: [upper, lower] index}]
function chart(box, { title, xLabel, x, series, bands, scatter, height, xValues }) {
  const data = [x].concat(series.map((s) => s.y));
  // The same chart with new data (a poll while it runs): keep the chart,
  // swap the data (and rescale to show the new points).
  const sig = JSON.stringify([title, xLabel, scatter, height, (bands || []).length, series.map((s) => [s.label, s.color, s.width])]);
  if (box.uplot && box.dataset.sig === sig && !xValues) {
    box.uplot.setData(data);
    return box.uplot;
  }
  if (box.uplot) box.uplot.destroy();
  box.replaceChildren();
  box.dataset.sig = sig;
  const width = Math.max(300, box.clientWidth || 600);
  const pad = (min, max) => { const p = (max - min) * 0.04 || 1; return [min - p, max + p]; };
  const opts = {
    title, width, height: height || 300,
    // points at the very edge of a scatter would be cut in half
    scales: { x: scatter ? { time: false, range: (u, min, max) => pad(min, max) } : { time: false } },
    legend: { show: series.length <= 12, live: !scatter },
    cursor: { drag: { x: true, y: false } },
    axes: [{ label: xLabel, values: xValues }, {}],
    series: [{ label: xLabel }].concat(series.map((s) => scatter ? {
      label: s.label, stroke: s.color, fill: s.color, paths: () => null, points: { show: true, size: 7, stroke: s.color, fill: s.color },
    } : {
      label: s.label, stroke: s.color, width: s.width || 1.25, spanGaps: true, dash: s.dash, points: { show: false },
    })),
    bands: bands || [],
  };
  const u = new uPlot(opts, data, box);
  box.dataset.series = String(series.length);
  box.uplot = u;
  return u;
}

// legendList shows which colour is which value, as text.
function legendList(title, items) {
  const ul = el("ul", { class: "legend" });
  for (const [v, c] of items) ul.append(el("li", {}, el("span", { class: "swatch", style: `background:${c}` }), fmtValue(v)));
  return el("div", { class: "legendbox" }, el("span", { text: title + ": " }), ul);
}

// kv renders an object as a two-column table, nested keys flattened.
function kv(obj, id) {
  const t = el("table", { class: "kv", id });
  const walk = (prefix, o) => {
    for (const k of Object.keys(o).sort()) {
      const v = o[k];
      if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length) walk(prefix + k + ".", v);
      else t.append(el("tr", {}, el("th", { text: prefix + k }), el("td", { text: fmtValue(v) })));
    }
  };
  walk("", obj || {});
  return t;
}

function section(title, id, ...children) {
  return el("section", { id }, el("h2", { text: title }), ...children);
}
