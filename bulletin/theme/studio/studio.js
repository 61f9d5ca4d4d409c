// 编辑台: the editors' workbench (bulletin serve → /_studio/). Plain modules, no framework:
// each screen is a module whose function fetches JSON from ./api/ and builds the page with
// DOM calls (text is always set as text; the only HTML put in is the build's own rendering of
// an article or a table). The Content-Security-Policy allows no inline script or style.
//
//   common.js    words, DOM building, the API, problems and failures, the screen's state
//   editions.js  #/            the editions, 新一期
//   edition.js   #/e/ID        one edition: its 版, articles, tables, uploads, PDF
//   article.js   #/a/ID/SLUG   one article: front matter and Markdown beside its preview
//   table.js     #/t/ID/NAME   one table: the computed result, its settings
//   problems.js  #/problems    the full check
//   publish.js   #/publish     publish and roll back

import { main, onReload, show, showError, state, t } from "./common.js";
import { editionsScreen } from "./editions.js";
import { editionScreen } from "./edition.js";
import { articleScreen } from "./article.js";
import { tableScreen } from "./table.js";
import { problemsScreen } from "./problems.js";
import { publishScreen } from "./publish.js";

async function route() {
  const nav = ++state.navigation;
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
onReload(route);

// Leaving a screen with unsaved changes asks first (and stays when the editor says no).
let shown = location.hash;
window.addEventListener("hashchange", () => {
  if (location.hash === shown) return;
  if (state.dirty && !confirm(t("unsaved_leave"))) {
    history.replaceState(null, "", shown);
    return;
  }
  state.dirty = false;
  shown = location.hash;
  route();
});
window.addEventListener("beforeunload", (ev) => { if (state.dirty) { ev.preventDefault(); ev.returnValue = ""; } });
route();
