import { api, el, problemList, show, showError, state, t } from "./common.js";

// -- problems -----------------------------------------------------------------------------

export async function problemsScreen() {
  const nav = state.navigation;
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
