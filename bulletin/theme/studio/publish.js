import { api, el, problemList, show, showError, state, t } from "./common.js";

// -- publish ------------------------------------------------------------------------------

export async function publishScreen() {
  const nav = state.navigation;
  const pub = await api("GET", "publish");
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
  const publish = el("button", { class: "primary", id: "publish", disabled: !pub.dest,
    onclick: () => { if (confirm(t("publish_confirm", { dest: pub.dest }))) start("publish"); } }, t("publish"));
  const back = el("button", { id: "rollback", disabled: !pub.dest,
    onclick: () => { if (confirm(t("rollback_confirm"))) start("publish/rollback"); } }, t("rollback"));
  if (!show(nav, el("h1", {}, t("publish")),
    pub.dest ? el("p", {}, t("publish_to"), el("code", {}, pub.dest))
      : el("div", {}, problemList(pub.why || [], false), el("p", {}, t("publish_setup"))),
    el("p", { class: "note" }, t("publish_note")),
    el("div", { class: "actions" }, publish, back), out, result, lines)) return;
  if (pub.job) {
    lines.textContent = pub.job.lines.join("\n");
    if (pub.job.running) { publish.disabled = back.disabled = true; follow(); }
    else if (pub.job.result) result.replaceChildren(el("p", { class: "ok" }, pub.job.result.message));
    else if (pub.job.error) result.replaceChildren(showError({ problems: pub.job.error }));
  }
}
