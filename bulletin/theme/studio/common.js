// 编辑台's shared parts: the page's words, DOM building, the API, messages and problems, and
// the state of the screen shown (studio.js routes; each screen is a module of its own).

export const W = JSON.parse(document.getElementById("words").textContent);
export const CSRF = document.querySelector('meta[name="csrf"]').content;
export const main = document.getElementById("main");
export const state = {
  dirty: false, // unsaved changes on the current screen
  navigation: 0, // counts screen changes: a screen whose data arrives after the next one began is not shown
};

// The screen shown again from the files (after a save); studio.js gives the function.
let again = () => {};
export function onReload(fn) { again = fn; }
export function reload() { again(); }

export function t(key, params) {
  let s = W[key] || key;
  for (const [k, v] of Object.entries(params || {})) s = s.split("{" + k + "}").join(String(v));
  return s;
}

export function el(tag, attrs, ...children) {
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
export function show(nav, ...children) {
  if (nav !== state.navigation) return false;
  main.replaceChildren(...children.flat(2).filter((c) => c !== null && c !== undefined && c !== false));
  main.removeAttribute("aria-busy");
  main.inert = false;
  window.scrollTo(0, 0);
  return true;
}

export async function api(method, path, body, headers) {
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

export function toast(text, bad) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.className = bad ? "bad" : "";
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, bad ? 8000 : 3000);
}

export function problemList(problems, onClick) {
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
export function action(out, fn) {
  return async (ev) => {
    const button = ev.currentTarget;
    button.disabled = true;
    out.replaceChildren();
    try { await fn(); } catch (err) { showError(err, out); } finally { button.disabled = false; }
  };
}

export function showError(error, where) {
  const box = where || el("div");
  box.replaceChildren(el("div", { class: "failure", role: "alert" },
    el("strong", {}, t("failed")),
    problemList(error.problems && error.problems.length ? error.problems
      : [{ level: "error", message: String(error.message || error) }], false)));
  if (box.isConnected) box.scrollIntoView({ block: "nearest" });
  return box;
}

// A problem's file and line → the screen that edits it.
export function routeOf(p) {
  const f = p.file || "";
  let m = f.match(/^content\/([^/]+)\/([^/]+)\.md$/);
  if (m) return "#/a/" + m[1] + "/" + m[2] + (p.line ? "?line=" + p.line : "");
  m = f.match(/^content\/([^/]+)\/edition\.toml$/);
  if (m) return "#/e/" + m[1];
  m = f.match(/^data\/([^/]+)\/([^/.]+)\.[a-z]+$/);
  if (m) return "#/t/" + m[1] + "/" + m[2];
  return null;
}

export function editionName(e) {
  return t("edition_name", { year: e.year || e.date.slice(0, 4), number: e.number });
}

// The 勘误 a change to a published edition needs: its date and text (null: none given).
export function correctionForm(needed) {
  if (!needed) return { node: null, value: () => null };
  const date = el("input", { type: "date", value: new Date().toISOString().slice(0, 10), class: "c-date" });
  const text = el("input", { type: "text", class: "wide c-text", "aria-label": t("correction_text") });
  return {
    node: el("section", { class: "card correction" }, el("p", {}, t("correction_needed")),
      el("label", {}, t("correction_date"), date), el("label", {}, t("correction_text"), text)),
    value: () => (text.value.trim() ? { date: date.value, text: text.value } : null),
  };
}
