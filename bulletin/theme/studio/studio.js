// 编辑台: the editors' workbench (bulletin serve → /_studio/). Plain script, no framework:
// each screen is a function that fetches JSON from ./api/ and builds the page with DOM calls
// (text is always set as text; the only HTML put in is the build's own rendering of an
// article or a table). The Content-Security-Policy allows no inline script or style.
"use strict";

const W = JSON.parse(document.getElementById("words").textContent);
const CSRF = document.querySelector('meta[name="csrf"]').content;
const main = document.getElementById("main");
let dirty = false; // unsaved changes on the current screen
let navigation = 0; // counts screen changes: a screen whose data arrives after the next one began is not shown

function t(key, params) {
  let s = W[key] || key;
  for (const [k, v] of Object.entries(params || {})) s = s.split("{" + k + "}").join(String(v));
  return s;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "value") node.value = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// The screen: its parts in order (lists flattened, absent parts left out), unless the editor
// has gone on to another screen while this one's data was on its way (then false).
function show(nav, ...children) {
  if (nav !== navigation) return false;
  main.replaceChildren(...children.flat(2).filter((c) => c !== null && c !== undefined && c !== false));
  main.removeAttribute("aria-busy");
  main.inert = false;
  window.scrollTo(0, 0);
  return true;
}

async function api(method, path, body, headers) {
  const init = { method, headers: { ...(headers || {}) } };
  if (method !== "GET") init.headers["X-CSRF-Token"] = CSRF;
  if (body instanceof Blob) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch("api/" + path, init);
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  if (!response.ok) {
    const error = new Error("HTTP " + response.status);
    error.problems = data.error || [];
    error.status = response.status;
    throw error;
  }
  return data;
}

function toast(text, bad) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.className = bad ? "bad" : "";
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, bad ? 8000 : 3000);
}

function problemList(problems, onClick) {
  if (!problems || !problems.length) return el("p", { class: "ok" }, t("no_problems"));
  return el("ul", { class: "problems" }, problems.map((p) => {
    const where = p.file ? p.file + (p.line ? ":" + p.line + (p.column ? ":" + p.column : "") : "") : "";
    const item = el("li", { class: "problem " + p.level },
      el("span", { class: "level" }, t("level_" + p.level)),
      where ? el("code", { class: "where" }, where) : null,
      p.field ? el("code", { class: "field" }, p.field) : null,
      el("span", { class: "message" }, p.message),
      p.hint ? el("div", { class: "hint" }, t("fix") + p.hint) : null);
    const target = routeOf(p);
    if (target && onClick !== false) {
      item.classList.add("link");
      item.tabIndex = 0;
      item.addEventListener("click", () => { location.hash = target; });
      item.addEventListener("keydown", (e) => { if (e.key === "Enter") location.hash = target; });
    }
    return item;
  }));
}

// A button's action: the button is disabled while it runs and the last failure shown in `out`
// goes when it starts (an editor who fixes and retries sees only the new answer).
function action(out, fn) {
  return async (ev) => {
    const button = ev.currentTarget;
    button.disabled = true;
    out.replaceChildren();
    try { await fn(); } catch (err) { showError(err, out); } finally { button.disabled = false; }
  };
}

function showError(error, where) {
  const box = where || el("div");
  box.replaceChildren(el("div", { class: "failure", role: "alert" },
    el("strong", {}, t("failed")),
    problemList(error.problems && error.problems.length ? error.problems
      : [{ level: "error", message: String(error.message || error) }], false)));
  if (box.isConnected) box.scrollIntoView({ block: "nearest" });
  return box;
}

// A problem's file and line → the screen that edits it.
function routeOf(p) {
  const f = p.file || "";
  let m = f.match(/^content\/([^/]+)\/([^/]+)\.md$/);
  if (m) return "#/a/" + m[1] + "/" + m[2] + (p.line ? "?line=" + p.line : "");
  m = f.match(/^content\/([^/]+)\/edition\.toml$/);
  if (m) return "#/e/" + m[1];
  m = f.match(/^data\/([^/]+)\/([^/.]+)\.[a-z]+$/);
  if (m) return "#/t/" + m[1] + "/" + m[2];
  return null;
}

function editionName(e) {
  return t("edition_name", { year: e.year || e.date.slice(0, 4), number: e.number });
}

// -- editions -----------------------------------------------------------------------------

async function editionsScreen() {
  const nav = navigation;
  const data = await api("GET", "editions");
  const day = el("input", { type: "date", value: new Date().toISOString().slice(0, 10), "aria-label": t("date") });
  const out = el("div");
  const create = el("button", { class: "primary", onclick: action(out, async () => {
    const made = await api("POST", "editions", { date: day.value });
    location.hash = "#/e/" + made.id;
  }) }, t("new_edition"));
  const rows = data.editions.map((e) => el("tr", {},
    el("td", {}, el("a", { href: "#/e/" + e.id }, editionName(e))),
    el("td", {}, e.date),
    el("td", {}, el("span", { class: "status " + e.status }, t(e.status))),
    el("td", {}, e.problems === null ? t("not_checked")
      : (e.problems.error || e.problems.warning)
        ? [e.problems.error ? el("span", { class: "count error" }, t("errors_n", { n: e.problems.error })) : null,
           e.problems.warning ? el("span", { class: "count warning" }, t("warnings_n", { n: e.problems.warning })) : null]
        : t("none")),
    el("td", {}, el("a", { class: "button", href: "#/e/" + e.id }, t("open")))));
  show(nav,
    el("h1", {}, t("editions")),
    el("div", { class: "actions" }, day, create), out,
    el("table", { class: "list" },
      el("thead", {}, el("tr", {}, el("th", {}, t("editions")), el("th", {}, t("date")),
        el("th", {}, t("status")), el("th", {}, t("problems")), el("th", {}))),
      el("tbody", {}, rows)));
}

// -- one edition --------------------------------------------------------------------------

async function editionScreen(eid) {
  const nav = navigation;
  const e = await api("GET", "editions/" + eid);
  const out = el("div");
  const number = el("input", { type: "number", min: 1, value: e.number, id: "f-number" });
  const date = el("input", { type: "date", value: e.date, id: "f-date" });
  const status = el("select", { id: "f-status" },
    el("option", { value: "draft", selected: e.status === "draft" }, t("draft")),
    el("option", { value: "published", selected: e.status === "published" }, t("published")));
  const pages = e.pages.map((p, i) => pageForm(e, p, i));
  const correction = correctionForm(e.status === "published");
  for (const input of [number, date, status]) input.addEventListener("input", () => { dirty = true; });
  const saveOut = el("div");
  const save = el("button", { class: "primary", id: "save-edition", onclick: action(saveOut, async () => {
    const body = {
      version: e.version, number: Number(number.value), date: date.value, status: status.value,
      pages: pages.map((p) => p.value()),
    };
    const c = correction.value();
    if (c) body.correction = c;
    const saved = await api("PUT", "editions/" + eid, body);
    e.version = saved.version;
    dirty = false;
    toast(t("saved"));
    route();
  }) }, t("save"));
  const pdfBox = el("span", { class: "pdf" });
  const pdf = el("button", { onclick: async () => {
    pdfBox.replaceChildren(t("making_pdf"));
    try {
      const made = await api("POST", "pdf/" + eid);
      pdfBox.replaceChildren(el("a", { href: made.url, target: "_blank", rel: "noopener" }, t("open_pdf")));
    } catch (err) { pdfBox.replaceChildren(); showError(err, out); }
  } }, t("make_pdf"));
  const title = el("input", { type: "text", placeholder: t("new_article_title"), id: "new-title", "aria-label": t("new_article_title") });
  // the 版 a new or uploaded article goes on (asked only when the edition has several)
  const onPage = el("select", { id: "new-page", "aria-label": t("page") },
    e.pages.map((_, i) => el("option", { value: i + 1 }, t("page_n", { n: i + 1 }))));
  const newArticle = el("button", { onclick: action(out, async () => {
    const c = correction.value();
    const made = await api("POST", "editions/" + eid + "/articles",
      { title: title.value, page: Number(onPage.value), ...(c ? { correction: c } : {}) });
    for (const n of made.notes) toast(n);
    location.hash = "#/a/" + eid + "/" + made.slug;
  }) }, t("new_article"));
  show(nav,
    el("p", { class: "crumbs" }, el("a", { href: "#/" }, t("editions")), " › ", editionName(e)),
    el("h1", {}, editionName(e), " ", el("span", { class: "status " + e.status }, t(e.status))),
    out,
    el("div", { class: "actions" },
      el("a", { class: "button", href: "../editions/" + eid + "/", target: "_blank", rel: "noopener" }, t("web_edition")),
      pdf, pdfBox),
    el("section", { class: "card fields" },
      el("label", {}, t("number"), number), el("label", {}, t("date"), date),
      el("label", {}, t("status"), status)),
    pages.map((p) => p.node),
    e.unplaced.length ? el("section", { class: "card" }, el("h2", {}, t("unplaced")),
      el("ul", {}, e.unplaced.map((s) => el("li", {}, articleLink(e, s))))) : null,
    el("section", { class: "card" }, el("h2", {}, t("new_article")),
      el("div", { class: "actions" }, e.pages.length > 1 ? onPage : null, title, newArticle),
      uploader(eid, ".docx", t("upload_word"), out, correction, onPage),
      uploader(eid, ".xlsx,.csv", t("upload_table"), out, correction)),
    el("section", { class: "card" }, el("h2", {}, t("tables")),
      e.tables.length ? el("ul", {}, e.tables.map((n) => el("li", {}, el("a", { href: "#/t/" + eid + "/" + n }, n))))
        : el("p", {}, t("no_tables"))),
    e.corrections.length ? el("section", { class: "card" }, el("h2", {}, t("corrections")),
      el("ul", {}, e.corrections.map((c) => el("li", {}, c.date + " " + c.text)))) : null,
    correction.node,
    saveOut,
    el("div", { class: "actions sticky" }, save),
    el("section", { class: "card" }, el("h2", {}, t("problems")),
      e.problems === null ? el("p", {}, el("a", { href: "#/problems" }, t("not_checked"))) : problemList(e.problems)));
}

function articleLink(e, slug) {
  const a = e.articles[slug] || { slug };
  return el("a", { href: "#/a/" + e.id + "/" + slug },
    a.kicker ? el("span", { class: "kicker" }, a.kicker + " ") : null, a.title || slug,
    el("code", { class: "slug" }, " " + slug + ".md"));
}

function pageForm(e, p, i) {
  const banner = el("input", { type: "text", value: p.banner, class: "wide", "aria-label": t("banner") });
  const credit = el("input", { type: "text", value: p.credit, class: "wide", "aria-label": t("credit") });
  for (const input of [banner, credit]) input.addEventListener("input", () => { dirty = true; });
  const list = el("ol", { class: "order" });
  let dragged = null;
  function move(item, by) {
    const items = [...list.children];
    const at = items.indexOf(item) + by;
    if (at < 0 || at >= items.length) return;
    if (by < 0) list.insertBefore(item, items[at]); else list.insertBefore(items[at], item);
    dirty = true;
  }
  for (const slug of p.articles) {
    const item = el("li", { draggable: p.listed ? "true" : null, "data-slug": slug },
      articleLink(e, slug),
      p.listed ? el("span", { class: "move" },
        el("button", { type: "button", title: t("up"), "aria-label": t("up"), onclick: () => move(item, -1) }, "↑"),
        el("button", { type: "button", title: t("down"), "aria-label": t("down"), onclick: () => move(item, 1) }, "↓")) : null);
    item.addEventListener("dragstart", () => { dragged = item; item.classList.add("dragging"); });
    item.addEventListener("dragend", () => { item.classList.remove("dragging"); dragged = null; });
    item.addEventListener("dragover", (ev) => {
      if (!dragged || dragged === item) return;
      ev.preventDefault();
      const box = item.getBoundingClientRect();
      list.insertBefore(dragged, ev.clientY < box.top + box.height / 2 ? item : item.nextSibling);
      dirty = true;
    });
    list.append(item);
  }
  // the edition's tables: which go on this page, after its articles (in the listed order)
  const placed = [...p.tables, ...e.tables.filter((n) => !p.tables.includes(n))];
  const boxes = placed.map((n) => el("input", { type: "checkbox", value: n, checked: p.tables.includes(n),
    class: "f-table", onchange: () => { dirty = true; } }));
  const node = el("section", { class: "card page" },
    el("h2", {}, t("page_n", { n: i + 1 })),
    el("label", {}, t("banner"), banner), el("label", {}, t("credit"), credit),
    el("h3", {}, t("articles")), list,
    placed.length ? [el("h3", {}, t("page_tables")),
      el("div", { class: "checks" }, boxes.map((b) => el("label", { class: "check" }, b, " ",
        el("a", { href: "#/t/" + e.id + "/" + b.value }, b.value))))] : null);
  return {
    node,
    value: () => ({ banner: banner.value, credit: credit.value,
      tables: boxes.filter((b) => b.checked).map((b) => b.value),
      ...(p.listed ? { articles: [...list.children].map((li) => li.dataset.slug) } : {}) }),
  };
}

function correctionForm(needed) {
  if (!needed) return { node: null, value: () => null };
  const date = el("input", { type: "date", value: new Date().toISOString().slice(0, 10), class: "c-date" });
  const text = el("input", { type: "text", class: "wide c-text", "aria-label": t("correction_text") });
  return {
    node: el("section", { class: "card correction" }, el("p", {}, t("correction_needed")),
      el("label", {}, t("correction_date"), date), el("label", {}, t("correction_text"), text)),
    value: () => (text.value.trim() ? { date: date.value, text: text.value } : null),
  };
}

function uploader(eid, accept, label, out, correction, onPage) {
  const input = el("input", { type: "file", accept, class: "upload", "aria-label": label });
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    toast(t("uploading"));
    try {
      const c = correction.value();
      const made = await api("POST", "editions/" + eid + "/upload", file, {
        "X-Filename": encodeURIComponent(file.name),
        ...(onPage ? { "X-Page": onPage.value } : {}),
        ...(c ? { "X-Correction-Date": c.date, "X-Correction-Text": encodeURIComponent(c.text) } : {}),
      });
      toast(t("imported", { name: made.name }));
      for (const n of made.notes) toast(n);
      location.hash = made.kind === "article" ? "#/a/" + eid + "/" + made.name : "#/t/" + eid + "/" + made.name;
    } catch (err) { showError(err, out); }
    input.value = "";
  });
  return el("label", { class: "button upload-label" }, label, input);
}

// -- one article --------------------------------------------------------------------------

async function articleScreen(eid, slug, line) {
  const nav = navigation;
  const a = await api("GET", "articles/" + eid + "/" + slug);
  const out = el("div");
  const inputs = {};
  for (const key of ["kicker", "title", "subtitle", "byline"]) {
    inputs[key] = el("input", { type: "text", value: a.meta[key], class: "wide", id: "f-" + key });
  }
  const page = el("input", { type: "number", min: 1, max: a.pages, value: a.meta.page, id: "f-page" });
  const body = el("textarea", { id: "f-body", spellcheck: "false" });
  body.value = a.body;
  const view = el("article", { class: "preview-article" });
  const viewProblems = el("div");
  const correction = correctionForm(a.published);
  let timer = null;
  let asked = 0; // previews asked for: an answer to an older one is dropped
  async function refresh() {
    const mine = ++asked;
    const head = el("header", {},
      inputs.kicker.value ? el("p", { class: "kicker" }, inputs.kicker.value) : null,
      el("h1", {}, inputs.title.value),
      inputs.subtitle.value ? el("p", { class: "subtitle" }, "——" + inputs.subtitle.value) : null,
      inputs.byline.value ? el("p", { class: "byline" }, inputs.byline.value) : null);
    try {
      const r = await api("POST", "preview", { edition: eid, file: a.file, body: body.value, body_line: a.body_line });
      if (mine !== asked) return;
      const content = el("div", { class: "body" });
      content.innerHTML = r.html; // the build's renderer: text escaped, raw HTML dropped
      view.replaceChildren(head, content);
      viewProblems.replaceChildren(r.problems.length ? problemList(r.problems, false) : "");
    } catch (err) { showError(err, viewProblems); }
  }
  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }
  for (const input of [...Object.values(inputs), page, body]) input.addEventListener("input", changed);
  const save = el("button", { class: "primary", id: "save-article", onclick: action(out, async () => {
    const request = { version: a.version, body: body.value, meta: {
      kicker: inputs.kicker.value, title: inputs.title.value, subtitle: inputs.subtitle.value,
      byline: inputs.byline.value, page: Number(page.value) } };
    const c = correction.value();
    if (c) request.correction = c;
    const saved = await api("PUT", "articles/" + eid + "/" + slug, request);
    a.version = saved.version;
    dirty = false;
    toast(t("saved"));
  }) }, t("save"));
  if (!show(nav,
    el("p", { class: "crumbs" }, el("a", { href: "#/" }, t("editions")), " › ",
      el("a", { href: "#/e/" + eid }, eid), " › ", a.file),
    el("div", { class: "editor" },
      el("div", { class: "form" },
        el("label", {}, t("kicker"), inputs.kicker), el("label", {}, t("headline"), inputs.title),
        el("label", {}, t("subtitle"), inputs.subtitle), el("label", {}, t("byline"), inputs.byline),
        el("label", {}, t("page"), page),
        el("label", { class: "grow" }, t("body"), body),
        correction.node,
        out,
        el("div", { class: "actions" }, save)),
      el("div", { class: "view" }, el("h2", {}, t("preview")), viewProblems, view)))) return;
  await refresh();
  if (line) goToLine(body, Number(line) - a.body_line + 1);
}

function goToLine(area, n) {
  if (!(n > 0)) return;
  const lines = area.value.split("\n");
  const start = lines.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
  area.focus();
  area.setSelectionRange(start, start + (lines[n - 1] || "").length);
  const lineHeight = area.scrollHeight / Math.max(lines.length, 1);
  area.scrollTop = Math.max(0, (n - 3) * lineHeight);
}

// -- one table ----------------------------------------------------------------------------

async function tableScreen(eid, name) {
  const nav = navigation;
  const tb = await api("GET", "tables/" + eid + "/" + name);
  const out = el("div");
  const spec = el("textarea", { id: "f-spec", class: "spec", spellcheck: "false" });
  spec.value = tb.spec;
  spec.addEventListener("input", () => { dirty = true; });
  const computed = el("div", { class: "computed" });
  computed.innerHTML = tb.html; // the build's table template (autoescaped)
  async function put(body) {
    out.replaceChildren();
    try {
      const saved = await api("PUT", "tables/" + eid + "/" + name, { version: tb.version, ...body });
      tb.version = saved.version;
      dirty = false;
      toast(t("saved"));
      route();
    } catch (err) { showError(err, out); window.scrollTo(0, 0); }
  }
  const save = el("button", { id: "save-table", onclick: () => put({ spec: spec.value }) }, t("save_text"));
  const form = tb.form ? specForm(tb.form, put) : null;
  show(nav,
    el("p", { class: "crumbs" }, el("a", { href: "#/" }, t("editions")), " › ",
      el("a", { href: "#/e/" + eid }, eid), " › ", tb.file),
    out,
    el("section", { class: "card" }, el("h2", {}, t("computed")), computed,
      problemList(tb.problems, false)),
    form,
    el("section", { class: "card" }, el("h2", {}, t("spec")), spec,
      el("div", { class: "actions" }, save)));
}

// The common settings of a spec: what each column is, each rate's formula, the ranking.
function specForm(f, put) {
  const rows = f.columns.map((c) => {
    const role = c.source ? el("select", { "data-index": c.index, class: "f-role", "aria-label": t("role") },
      ["", ...f.roles].map((r) => el("option", { value: r, selected: (c.role || "") === r }, t("role_" + r)))) : null;
    const expr = c.expr !== null && c.expr !== undefined
      ? el("input", { type: "text", class: "wide f-expr", value: c.expr, "data-index": c.index, "aria-label": t("formula") }) : null;
    return { c, role, expr, node: el("tr", {}, el("td", {}, c.name), el("td", {}, c.source || ""),
      el("td", {}, role || ""), el("td", {}, expr || "")) };
  });
  const names = f.columns.map((c) => c.name);
  const pick = (options, value, cls) => el("select", { class: cls },
    options.map(([v, label]) => el("option", { value: v, selected: v === value }, label)));
  const rank = f.rank ? {
    by: pick(names.map((n) => [n, n]), f.rank.by, "f-rank-by"),
    order: pick([["desc", t("order_desc")], ["asc", t("order_asc")]], f.rank.order, "f-rank-order"),
    ties: pick([["min", t("ties_min")], ["dense", t("ties_dense")]], f.rank.ties, "f-rank-ties"),
  } : null;
  const save = el("button", { class: "primary", id: "save-settings", onclick: () => put({ form: {
    columns: rows.map((r) => ({ index: r.c.index, ...(r.role ? { role: r.role.value } : {}),
      ...(r.expr ? { expr: r.expr.value } : {}) })),
    ...(rank ? { rank: { by: rank.by.value, order: rank.order.value, ties: rank.ties.value } } : {}),
  } }) }, t("save_settings"));
  return el("section", { class: "card" }, el("h2", {}, t("settings")),
    el("div", { class: "scroll" }, el("table", { class: "list form-table" },
      el("thead", {}, el("tr", {}, el("th", {}, t("column")), el("th", {}, t("source_column")),
        el("th", {}, t("role")), el("th", {}, t("formula")))),
      el("tbody", {}, rows.map((r) => r.node)))),
    rank ? el("div", { class: "fields" }, el("label", {}, t("rank_by"), rank.by),
      el("label", {}, t("order"), rank.order), el("label", {}, t("ties"), rank.ties)) : null,
    el("div", { class: "actions" }, save));
}

// -- problems -----------------------------------------------------------------------------

async function problemsScreen() {
  const nav = navigation;
  const data = await api("GET", "problems");
  const box = el("div");
  const stamp = el("span", { class: "stamp" }, data.checked ? t("checked_at", { time: data.checked }) : t("not_checked"));
  const run = el("button", { class: "primary", id: "run-check", onclick: async () => {
    run.disabled = true;
    box.replaceChildren(t("checking"));
    try {
      const r = await api("POST", "check");
      stamp.textContent = t("checked_at", { time: r.checked });
      box.replaceChildren(problemList(r.problems));
      badge(r.problems);
    } catch (err) { showError(err, box); }
    run.disabled = false;
  } }, t("run_check"));
  box.replaceChildren(data.problems ? problemList(data.problems) : "");
  if (!show(nav, el("h1", {}, t("problems")), el("div", { class: "actions" }, run, stamp), box)) return;
  if (!data.problems) run.click();
}

function badge(problems) {
  const nav = document.getElementById("nav-problems");
  const n = problems.filter((p) => p.level !== "info").length;
  nav.textContent = t("problems") + (n ? " (" + n + ")" : "");
}

// -- publish ------------------------------------------------------------------------------

async function publishScreen() {
  const nav = navigation;
  const state = await api("GET", "publish");
  const out = el("div");
  const lines = el("pre", { class: "log", id: "publish-log" });
  const result = el("div", { id: "publish-result" });
  async function follow() {
    for (;;) {
      const now = await api("GET", "publish");
      const job = now.job;
      if (!job) return;
      lines.textContent = job.lines.join("\n");
      if (!job.running) {
        result.replaceChildren(job.error ? showError({ problems: job.error })
          : el("p", { class: "ok" }, job.result.message));
        publish.disabled = back.disabled = false;
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  async function start(path) {
    publish.disabled = back.disabled = true;
    result.replaceChildren();
    try {
      await api("POST", path);
      await follow();
    } catch (err) { showError(err, result); publish.disabled = back.disabled = false; }
  }
  const publish = el("button", { class: "primary", id: "publish", disabled: !state.dest,
    onclick: () => { if (confirm(t("publish_confirm", { dest: state.dest }))) start("publish"); } }, t("publish"));
  const back = el("button", { id: "rollback", disabled: !state.dest,
    onclick: () => { if (confirm(t("rollback_confirm"))) start("publish/rollback"); } }, t("rollback"));
  if (!show(nav, el("h1", {}, t("publish")),
    state.dest ? el("p", {}, t("publish_to"), el("code", {}, state.dest))
      : el("div", {}, problemList(state.why || [], false), el("p", {}, t("publish_setup"))),
    el("p", { class: "note" }, t("publish_note")),
    el("div", { class: "actions" }, publish, back), out, result, lines)) return;
  if (state.job) {
    lines.textContent = state.job.lines.join("\n");
    if (state.job.running) { publish.disabled = back.disabled = true; follow(); }
    else if (state.job.result) result.replaceChildren(el("p", { class: "ok" }, state.job.result.message));
    else if (state.job.error) result.replaceChildren(showError({ problems: state.job.error }));
  }
}

// -- routing ------------------------------------------------------------------------------

async function route() {
  const nav = ++navigation;
  main.setAttribute("aria-busy", "true"); // the screen shown is on its way out: not to be typed in
  main.inert = true;
  const [path, query] = location.hash.slice(1).split("?");
  const parts = (path || "/").split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query || "");
  try {
    if (parts[0] === "e") await editionScreen(parts[1]);
    else if (parts[0] === "a") await articleScreen(parts[1], parts[2], params.get("line"));
    else if (parts[0] === "t") await tableScreen(parts[1], parts[2]);
    else if (parts[0] === "problems") await problemsScreen();
    else if (parts[0] === "publish") await publishScreen();
    else await editionsScreen();
  } catch (err) {
    show(nav, showError(err));
  }
}

// Leaving a screen with unsaved changes asks first (and stays when the editor says no).
let shown = location.hash;
window.addEventListener("hashchange", () => {
  if (location.hash === shown) return;
  if (dirty && !confirm(t("unsaved_leave"))) {
    history.replaceState(null, "", shown);
    return;
  }
  dirty = false;
  shown = location.hash;
  route();
});
window.addEventListener("beforeunload", (ev) => { if (dirty) { ev.preventDefault(); ev.returnValue = ""; } });
route();
