// coindex's search page. Talks only to this server's JSON API (docs/API.md).
// Article text (titles, snippets, bodies, tags, sources, URLs) is always inserted as
// text nodes, never parsed as HTML: scraped pages contain scripts.
"use strict";

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 180;
const PAGE = 20;

// The state, mirrored in the URL: /?q=spot+etf&from=2024-01&tag=etfs&doc=<id>
const state = { q: "", from: "", to: "", tags: [], sources: [], sort: "relevance", doc: "" };
let shown = 0;          // results listed so far
let selected = -1;      // the result j/k points at
let generation = 0;     // every new search bumps it; older responses are dropped
let inflight = null;    // the AbortController of the current search
let docGeneration = 0;
let pushedDoc = false;  // whether the open article has a history entry of its own

// Builds an element; string children become text nodes (never markup).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.q = p.get("q") || "";
  state.from = p.get("from") || "";
  state.to = p.get("to") || "";
  state.tags = p.getAll("tag");
  state.sources = p.getAll("source");
  state.sort = p.get("sort") === "date" ? "date" : "relevance";
  state.doc = p.get("doc") || "";
}

function urlOf(s) {
  const p = new URLSearchParams();
  if (s.q) p.set("q", s.q);
  if (s.from) p.set("from", s.from);
  if (s.to) p.set("to", s.to);
  for (const t of s.tags) p.append("tag", t);
  for (const t of s.sources) p.append("source", t);
  if (s.sort !== "relevance") p.set("sort", s.sort);
  if (s.doc) p.set("doc", s.doc);
  const qs = p.toString();
  return qs ? "/?" + qs : "/";
}

function writeUrl(push) {
  const url = urlOf(state);
  if (url === location.pathname + location.search) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

// The filter parameters shared by the search, facet and timeline requests.
function filterParams() {
  const p = new URLSearchParams();
  if (state.from) p.set("from", state.from);
  if (state.to) p.set("to", state.to);
  for (const t of state.tags) p.append("tag", t);
  for (const t of state.sources) p.append("source", t);
  return p;
}

async function api(path, params, signal) {
  const url = params ? path + "?" + params.toString() : path;
  const r = await fetch(url, { signal, headers: { Accept: "application/json" } });
  const body = await r.json();
  if (!r.ok) {
    const e = new Error(body && body.error ? body.error.message : "HTTP " + r.status);
    e.api = body && body.error;
    throw e;
  }
  return body;
}

function syncInputs() {
  if ($("q").value !== state.q) $("q").value = state.q;
  $("from").value = state.from;
  $("to").value = state.to;
  $("sort").value = state.sort;
  $("year").value = /^\d{4}$/.test(state.from) && state.from === state.to ? state.from : "";
}

// ---- dates ----

function ymd(d) {
  return d.toISOString().slice(0, 10);
}

function daysAgo(n) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - n);
  return ymd(d);
}

function addDays(isoDay, n) {
  const d = new Date(isoDay + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return ymd(d);
}

// Roughly how many days a from/to pair spans (null when open-ended).
function spanDays(from, to) {
  if (!from || !to) return null;
  const start = new Date((from + "-01-01").slice(0, 10) + "T00:00:00Z");
  let end;
  if (/^\d{4}$/.test(to)) end = new Date(Date.UTC(+to + 1, 0, 1));
  else if (/^\d{4}-\d{2}$/.test(to)) end = new Date(Date.UTC(+to.slice(0, 4), +to.slice(5, 7), 1));
  else end = new Date(to.slice(0, 10) + "T00:00:00Z");
  const days = (end - start) / 86400000;
  return isFinite(days) ? days : null;
}

function formatDate(rfc3339) {
  return rfc3339 ? rfc3339.slice(0, 10) : "undated";
}

// ---- search ----

function scheduleSearch() {
  clearTimeout(scheduleSearch.timer);
  scheduleSearch.timer = setTimeout(() => {
    writeUrl(false);
    search();
  }, DEBOUNCE_MS);
}

function setStatus(text, isError) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("error", !!isError);
}

async function search() {
  const gen = ++generation;
  if (inflight) inflight.abort();
  inflight = new AbortController();
  const signal = inflight.signal;
  renderChips();
  facets(gen, signal);
  if (!state.q.trim()) {
    clear($("results"));
    $("chart").hidden = true;
    $("more").hidden = true;
    shown = 0;
    setStatus(welcome());
    return;
  }
  const p = filterParams();
  p.set("q", state.q);
  p.set("limit", String(PAGE));
  if (state.sort !== "relevance") p.set("sort", state.sort);
  timeline(gen, signal);
  try {
    const r = await api("/api/search", p, signal);
    if (gen !== generation) return;
    clear($("results"));
    shown = 0;
    selected = -1;
    addHits(r);
    setStatus(r.total_hits === 0
      ? "No results. Try fewer words, another spelling, or a wider date range."
      : r.total_hits + (r.total_hits === 1 ? " result" : " results"));
  } catch (e) {
    if (e.name === "AbortError" || gen !== generation) return;
    clear($("results"));
    $("more").hidden = true;
    showError(e);
  }
}

function showError(e) {
  let msg = e.message;
  if (e.api && e.api.kind === "query" && e.api.position !== null) {
    msg += " (at character " + (e.api.position + 1) + ")";
  }
  setStatus(msg, true);
}

async function more() {
  const gen = generation;
  const p = filterParams();
  p.set("q", state.q);
  p.set("limit", String(PAGE));
  p.set("offset", String(shown));
  if (state.sort !== "relevance") p.set("sort", state.sort);
  try {
    const r = await api("/api/search", p);
    if (gen === generation) addHits(r);
  } catch (e) {
    showError(e);
  }
}

function addHits(r) {
  const list = $("results");
  for (const h of r.hits) list.append(hitItem(h));
  shown += r.hits.length;
  $("more").hidden = shown >= r.total_hits || shown >= 10000;
}

// The snippet with its highlight ranges ([start, end) in Unicode characters) as <mark>.
function snippetNode(text, ranges) {
  const chars = Array.from(text);
  const p = el("p", { class: "snippet" });
  let at = 0;
  for (const [a, b] of ranges) {
    if (a < at || b > chars.length || a >= b) continue;
    p.append(document.createTextNode(chars.slice(at, a).join("")));
    p.append(el("mark", {}, chars.slice(a, b).join("")));
    at = b;
  }
  p.append(document.createTextNode(chars.slice(at).join("")));
  return p;
}

function tagButton(tag) {
  return el("button", { type: "button", class: "tag", title: "Filter by tag " + tag,
    onclick: (ev) => { ev.stopPropagation(); toggle(state.tags, tag); } }, tag);
}

function hitItem(h) {
  const open = () => openDoc(h.id, true);
  const li = el("li", { class: "hit", "data-id": h.id, tabindex: "-1" },
    el("a", { href: urlOf({ ...state, doc: h.id }), class: "title",
      onclick: (ev) => { if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return; ev.preventDefault(); open(); } },
      h.title || "(untitled)"),
    el("div", { class: "meta" },
      el("time", {}, formatDate(h.published)), " · ",
      el("span", { class: "source" }, h.source || "unknown source"),
      ...h.tags.slice(0, 6).map(tagButton)),
    snippetNode(h.snippet, h.highlights));
  return li;
}

// ---- facets ----

async function facets(gen, signal) {
  const calls = ["tags", "sources"].map((field) => {
    const p = filterParams();
    if (state.q.trim()) p.set("q", state.q);
    p.set("field", field);
    p.set("limit", "15");
    return api("/api/facets", p, signal);
  });
  try {
    const [tags, sources] = await Promise.all(calls);
    if (gen !== generation) return;
    fillFacet($("tags"), tags, state.tags);
    fillFacet($("sources"), sources, state.sources);
  } catch (e) {
    if (e.name === "AbortError" || gen !== generation) return;
    clear($("tags"));
    clear($("sources"));
  }
}

function fillFacet(list, counts, active) {
  clear(list);
  if (counts.length === 0) list.append(el("li", { class: "hint" }, "none"));
  for (const c of counts) {
    const on = active.includes(c.value);
    list.append(el("li", {},
      el("button", { type: "button", class: on ? "facet-value on" : "facet-value",
        "aria-pressed": on ? "true" : "false", "data-value": c.value,
        onclick: () => toggle(active, c.value) },
        el("span", { class: "name" }, c.value), el("span", { class: "count" }, String(c.count)))));
  }
}

function toggle(list, value) {
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
  else list.push(value);
  closeDoc(false);
  writeUrl(true);
  search();
}

function renderChips() {
  const box = $("chips");
  clear(box);
  const chip = (label, remove) => box.append(el("button", { type: "button", class: "chip",
    title: "Remove this filter", onclick: remove }, label, " ×"));
  for (const t of state.tags) chip("tag: " + t, () => toggle(state.tags, t));
  for (const s of state.sources) chip("source: " + s, () => toggle(state.sources, s));
  if (state.from || state.to) {
    chip((state.from || "…") + " – " + (state.to || "…"), () => setRange("", ""));
  }
}

// ---- timeline ----

async function timeline(gen, signal) {
  const span = spanDays(state.from, state.to);
  const by = span !== null && span <= 92 ? "week" : "month";
  const p = filterParams();
  p.set("q", state.q);
  p.set("by", by);
  try {
    const t = await api("/api/timeline", p, signal);
    if (gen !== generation) return;
    let buckets = t.buckets;
    let unit = by;
    if (by === "month" && buckets.length > 60) {
      buckets = byYear(buckets);
      unit = "year";
    }
    drawChart(buckets, unit, t.undated);
  } catch (e) {
    if (e.name === "AbortError" || gen !== generation) return;
    $("chart").hidden = true;
  }
}

function byYear(months) {
  const out = [];
  for (const b of months) {
    const y = b.period.slice(0, 4);
    const last = out[out.length - 1];
    if (last && last.period === y) last.count += b.count;
    else out.push({ period: y, start: y + "-01-01", count: b.count });
  }
  return out;
}

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function drawChart(buckets, unit, undated) {
  const fig = $("chart");
  const box = $("chart-box");
  clear(box);
  if (buckets.length === 0) {
    fig.hidden = true;
    return;
  }
  fig.hidden = false;
  const total = buckets.reduce((n, b) => n + b.count, 0);
  $("chart-caption").textContent = "Matches per " + unit + " (" + total + " dated" +
    (undated ? ", " + undated + " undated" : "") + "); click a bar to filter";
  const W = 640, H = 120, pad = 16;
  const max = Math.max(...buckets.map((b) => b.count), 1);
  const bw = (W - 2) / buckets.length;
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H + pad}`, role: "img", class: "bars",
    "aria-label": "Timeline of matches per " + unit });
  buckets.forEach((b, i) => {
    const h = b.count === 0 ? 0 : Math.max(2, (b.count / max) * (H - 4));
    const g = svg("g", { class: "bar", tabindex: "0", "data-period": b.period });
    // a full-height hit area, so that short bars are easy to click
    g.append(svg("rect", { x: i * bw + 1, y: 0, width: Math.max(bw - 1, 1), height: H, class: "hit-area" }));
    g.append(svg("rect", { x: i * bw + 1, y: H - h, width: Math.max(bw - 1, 1), height: h, class: "fill" }));
    const title = svg("title", {});
    title.textContent = b.period + ": " + b.count;
    g.append(title);
    const pick = () => filterToBucket(b, unit);
    g.addEventListener("click", pick);
    g.addEventListener("keydown", (ev) => { if (ev.key === "Enter") pick(); });
    chart.append(g);
  });
  const first = svg("text", { x: 2, y: H + pad - 3, class: "axis" });
  first.textContent = buckets[0].period;
  const last = svg("text", { x: W - 2, y: H + pad - 3, class: "axis", "text-anchor": "end" });
  last.textContent = buckets[buckets.length - 1].period;
  chart.append(first, last);
  box.append(chart);
}

function filterToBucket(b, unit) {
  if (unit === "week") setRange(b.start, addDays(b.start, 6));
  else setRange(b.period, b.period);
}

function setRange(from, to) {
  state.from = from;
  state.to = to;
  syncInputs();
  closeDoc(false);
  writeUrl(true);
  search();
}

// ---- the article view ----

async function openDoc(id, push) {
  state.doc = id;
  pushedDoc = push;
  if (push) writeUrl(true);
  const gen = ++docGeneration;
  $("results-pane").hidden = true;
  $("facets").hidden = true;
  const art = $("article");
  art.hidden = false;
  for (const n of ["a-title", "a-dek"]) $(n).textContent = "";
  clear($("a-meta"));
  clear($("a-body"));
  clear($("a-similar"));
  $("a-title").textContent = "Loading…";
  try {
    const d = await api("/api/doc/" + encodeURIComponent(id));
    if (gen !== docGeneration) return;
    renderDoc(d);
    window.scrollTo(0, 0);
    $("back").focus();
  } catch (e) {
    if (gen === docGeneration) $("a-title").textContent = e.message;
    return;
  }
  try {
    const s = await api("/api/similar/" + encodeURIComponent(id), new URLSearchParams({ limit: "8" }));
    if (gen !== docGeneration) return;
    const list = $("a-similar");
    if (s.hits.length === 0) list.append(el("li", { class: "hint" }, "none found"));
    for (const h of s.hits) {
      list.append(el("li", {},
        el("a", { href: urlOf({ ...state, doc: h.id }),
          onclick: (ev) => { if (ev.ctrlKey || ev.metaKey) return; ev.preventDefault(); openDoc(h.id, true); } },
          h.title || "(untitled)"),
        el("span", { class: "meta" }, " " + formatDate(h.published) + " · " + h.source)));
    }
  } catch (e) {
    // the article is shown; related articles are optional
  }
}

// Only http(s) URLs become links; anything else (javascript:, data:) stays text.
function safeLink(url) {
  try {
    const u = new URL(url);
    if (u.protocol === "http:" || u.protocol === "https:") {
      return el("a", { href: u.href, rel: "noopener noreferrer nofollow", target: "_blank" }, url);
    }
  } catch (e) { /* not a URL */ }
  return el("span", {}, url);
}

function renderDoc(d) {
  document.title = (d.title || "(untitled)") + " · coindex";
  $("a-title").textContent = d.title || "(untitled)";
  $("a-dek").textContent = d.dek || "";
  const meta = $("a-meta");
  const row = (k, v) => { if (v) meta.append(el("dt", {}, k), el("dd", {}, v)); };
  row("Published", d.published ? d.published.replace("T", " ").replace("Z", " UTC") : "undated");
  if (d.updated) row("Updated", d.updated.replace("T", " ").replace("Z", " UTC"));
  row("Source", d.source);
  if (d.authors.length) row("By", d.authors.join(", "));
  if (d.tags.length) {
    const tags = el("span", {}, ...d.tags.map(tagButton));
    row("Tags", tags);
  }
  if (d.url) row("URL", safeLink(d.url));
  row("File", el("code", {}, d.path));
  row("Id", el("code", {}, d.id));
  const body = $("a-body");
  for (const para of d.body.split(/\n\s*\n/)) {
    if (para.trim()) body.append(el("p", {}, para.trim()));
  }
}

// Esc and the back button: the browser's back when the article was opened here, else
// just close it (the page may have been opened with ?doc=).
function goBack() {
  if (pushedDoc && state.doc) history.back();
  else closeDoc(true);
}

function closeDoc(push) {
  if (!state.doc && $("article").hidden) return;
  state.doc = "";
  docGeneration++;
  $("article").hidden = true;
  $("results-pane").hidden = false;
  $("facets").hidden = false;
  document.title = "coindex";
  if (push) writeUrl(true);
  if (selected >= 0) select(selected);
}

// ---- keyboard ----

function hits() {
  return Array.from(document.querySelectorAll("#results .hit"));
}

function select(i) {
  const list = hits();
  if (list.length === 0) return;
  selected = Math.max(0, Math.min(i, list.length - 1));
  list.forEach((h, j) => h.classList.toggle("selected", j === selected));
  list[selected].focus({ preventScroll: true });
  list[selected].scrollIntoView({ block: "nearest" });
}

function typing(target) {
  return target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA");
}

document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === "Escape") {
    if (!$("article").hidden) { ev.preventDefault(); goBack(); return; }
    if (typing(ev.target)) { ev.target.blur(); return; }
    return;
  }
  if (typing(ev.target)) {
    if (ev.key === "Enter" && ev.target.id === "q") { ev.preventDefault(); ev.target.blur(); select(0); }
    return;
  }
  if (ev.key === "/") { ev.preventDefault(); closeDoc(true); $("q").focus(); $("q").select(); return; }
  if (!$("article").hidden) return;
  if (ev.key === "j") { ev.preventDefault(); select(selected + 1); }
  else if (ev.key === "k") { ev.preventDefault(); select(selected - 1); }
  else if (ev.key === "Enter" && selected >= 0) {
    const h = hits()[selected];
    if (h) { ev.preventDefault(); openDoc(h.dataset.id, true); }
  }
});

// ---- start ----

function welcome() {
  const s = welcome.stats;
  if (!s) return "Type to search.";
  return "Type to search " + s.documents + " articles" +
    (s.earliest ? " from " + s.earliest.slice(0, 10) + " to " + s.latest.slice(0, 10) : "") + ".";
}

async function loadStats() {
  try {
    const s = await api("/api/stats", new URLSearchParams({ top: "0" }));
    welcome.stats = s;
    if (s.earliest && s.latest) {
      const sel = $("year");
      for (let y = +s.latest.slice(0, 4); y >= +s.earliest.slice(0, 4); y--) {
        sel.append(el("option", { value: String(y) }, String(y)));
      }
      syncInputs();
    }
    if (!state.q.trim()) setStatus(welcome());
  } catch (e) {
    setStatus("The index cannot be read: " + e.message, true);
  }
}

function fromState() {
  syncInputs();
  search();
  if (state.doc) openDoc(state.doc, false);
  else closeDoc(false);
}

function start() {
  readUrl();
  $("form").addEventListener("submit", (ev) => { ev.preventDefault(); });
  $("q").addEventListener("input", () => { state.q = $("q").value; closeDoc(false); scheduleSearch(); });
  for (const id of ["from", "to"]) {
    $(id).addEventListener("change", () => { state[id] = $(id).value.trim(); closeDoc(false); writeUrl(true); search(); });
  }
  $("sort").addEventListener("change", () => { state.sort = $("sort").value; writeUrl(true); search(); });
  $("year").addEventListener("change", () => { const y = $("year").value; setRange(y, y); });
  for (const b of document.querySelectorAll("#quick button")) {
    b.addEventListener("click", () => {
      const r = b.dataset.range;
      if (r === "week") setRange(daysAgo(7), "");
      else if (r === "month") setRange(daysAgo(30), "");
      else if (r === "year") setRange(daysAgo(365), "");
      else setRange("", "");
    });
  }
  $("more").addEventListener("click", more);
  $("back").addEventListener("click", goBack);
  window.addEventListener("popstate", () => { readUrl(); pushedDoc = false; fromState(); });
  loadStats();
  fromState();
}

start();
