import { api, el, problemList, reload, show, showError, state, t, toast } from "./common.js";

// -- one table ----------------------------------------------------------------------------

export async function tableScreen(eid, name) {
  const nav = state.navigation;
  const tb = await api("GET", "tables/" + eid + "/" + name);
  const out = el("div");
  const spec = el("textarea", { id: "f-spec", class: "spec", spellcheck: "false" });
  spec.value = tb.spec;
  spec.addEventListener("input", () => { state.dirty = true; });
  const computed = el("div", { class: "computed" });
  computed.innerHTML = tb.html; // the build's table template (autoescaped)
  async function put(body) {
    out.replaceChildren();
    try {
      const saved = await api("PUT", "tables/" + eid + "/" + name, { version: tb.version, ...body });
      tb.version = saved.version;
      state.dirty = false;
      toast(t("saved"));
      reload();
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
