// The search page's script: an external file, since the pages' Content-Security-Policy
// allows no inline script. Result URLs are site paths; data-root on #search is the site's
// home page as seen from this page, so the site works from any sub-path.
window.addEventListener("DOMContentLoaded", function () {
  if (location.protocol === "file:") {
    document.getElementById("search-offline").hidden = false;
    return;
  }
  var element = document.getElementById("search");
  var root = new URL(element.dataset.root, location.href);
  var ui = new PagefindUI({
    element: "#search",
    baseUrl: new URL("./", root).pathname,
    showSubResults: false,
    showImages: false,
    autofocus: true
  });
  var q = new URLSearchParams(location.search).get("q");
  if (q) ui.triggerSearch(q);
});
