// The search page's script: an external file, since the pages' Content-Security-Policy
// allows no inline script. Result URLs are site paths; data-root on #search is the site's
// home page as seen from this page, so the site works from any sub-path.
// The index is cut into shards (bulletin/search.py): data-bundles lists their folders as
// seen from this page, newest first. The newest is Pagefind's primary index, which loads
// the search code; the others are merged into it and share its WebAssembly.
window.addEventListener("DOMContentLoaded", function () {
  if (location.protocol === "file:") {
    document.getElementById("search-offline").hidden = false;
    return;
  }
  var element = document.getElementById("search");
  var root = new URL(element.dataset.root, location.href);
  var baseUrl = new URL("./", root).pathname;
  // Paths end with "/": Pagefind skips a merged index whose path is a prefix of the primary's.
  var bundles = element.dataset.bundles.split(" ").filter(Boolean).map(function (folder) {
    return new URL(folder, location.href).pathname;
  });
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: bundles[0],
    mergeIndex: bundles.slice(1).map(function (folder) {
      return { bundlePath: folder, baseUrl: baseUrl };
    }),
    baseUrl: baseUrl,
    showSubResults: false,
    showImages: false,
    autofocus: true
  });
  var q = new URLSearchParams(location.search).get("q");
  if (q) ui.triggerSearch(q);
});
