/* The search page: loads Pagefind's UI from this site (never from elsewhere).
   Paths come from the page itself, so the site works at any sub-path. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  if (location.protocol === "file:") {
    // Browsers refuse to fetch the index from disk: say so rather than fail.
    var p = document.createElement("p");
    p.className = "empty";
    p.textContent = box.dataset.fileNotice;
    box.appendChild(p);
    return;
  }
  var script = document.createElement("script");
  script.src = box.dataset.bundle;
  script.onload = function () {
    var bundle = new URL(box.dataset.bundle, location.href);
    var root = new URL("../", bundle);
    var ui = new PagefindUI({
      element: "#search", showImages: false, showSubResults: true, resetStyles: false,
      bundlePath: new URL("./", bundle).pathname, baseUrl: root.pathname,
      translations: { placeholder: box.dataset.placeholder }
    });
    var q = new URLSearchParams(location.search).get("q");
    if (q) ui.triggerSearch(q);
  };
  document.head.appendChild(script);
})();
