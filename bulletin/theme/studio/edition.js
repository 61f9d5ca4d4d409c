import {
  action, api, correctionForm, editionName, el, problemList, reload, show, showError, state, t,
  toast,
} from "./common.js";

// -- one edition --------------------------------------------------------------------------

export async function editionScreen(eid) {
  const nav = state.navigation;
  const e = await api("GET", "editions/" + eid);
  const out = el("div");
  const number = el("input", { type: "number", min: 1, value: e.number, id: "f-number" });
  const date = el("input", { type: "date", value: e.date, id: "f-date" });
  const status = el("select", { id: "f-status" },
    el("option", { value: "draft", selected: e.status === "draft" }, t("draft")),
    el("option", { value: "published", selected: e.status === "published" }, t("published")));
  const pages = e.pages.map((p, i) => pageForm(e, p, i));
  const correction = correctionForm(e.status === "published");
  for (const input of [number, date, status]) input.addEventListener("input", () => { state.dirty = true; });
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
    state.dirty = false;
    toast(t("saved"));
    reload();
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
  for (const input of [banner, credit]) input.addEventListener("input", () => { state.dirty = true; });
  const list = el("ol", { class: "order" });
  let dragged = null;
  function move(item, by) {
    const items = [...list.children];
    const at = items.indexOf(item) + by;
    if (at < 0 || at >= items.length) return;
    if (by < 0) list.insertBefore(item, items[at]); else list.insertBefore(items[at], item);
    state.dirty = true;
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
      state.dirty = true;
    });
    list.append(item);
  }
  // the edition's tables: which go on this page, after its articles (in the listed order)
  const placed = [...p.tables, ...e.tables.filter((n) => !p.tables.includes(n))];
  const boxes = placed.map((n) => el("input", { type: "checkbox", value: n, checked: p.tables.includes(n),
    class: "f-table", onchange: () => { state.dirty = true; } }));
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
