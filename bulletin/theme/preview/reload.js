// bulletin serve: reload this page when the preview is rebuilt. Added to preview pages only;
// it asks only the preview server itself (same origin), never anything else.
(function () {
  var script = document.currentScript;
  var seen = new URL(script.src).searchParams.get("v");
  function poll() {
    fetch("/__bulletin/version", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (String(state.version) !== seen) {
          location.reload();
        } else {
          setTimeout(poll, 300);
        }
      })
      .catch(function () { setTimeout(poll, 1000); }); // the server is restarting or stopped
  }
  setTimeout(poll, 300);
})();
