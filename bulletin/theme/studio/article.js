import {
  action, api, correctionForm, el, problemList, show, showError, state, t, toast,
} from "./common.js";

// -- one article --------------------------------------------------------------------------

export async function articleScreen(eid, slug, line) {
  const nav = state.navigation;
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
    state.dirty = true;
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
    state.dirty = false;
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
