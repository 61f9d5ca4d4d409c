import { action, api, editionName, el, show, state, t } from "./common.js";

// -- editions -----------------------------------------------------------------------------

export async function editionsScreen() {
  const nav = state.navigation;
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
