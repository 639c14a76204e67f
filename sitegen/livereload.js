/* sitegen serve: live reload. Injected by the preview server into the HTML it serves; never
   written to the built site. The server tells every connected page the current build by
   Server-Sent Events (also on connect, so a page that missed a build while disconnected
   reloads). A CSS-only build swaps the stylesheets in place; a failed build shows an overlay
   with the error while the last good page stays visible, and a later good build removes it. */
(function () {
  "use strict";
  var me = document.currentScript || document.querySelector("script[data-sitegen-build]");
  var current = me ? me.getAttribute("data-sitegen-build") : null;
  var endpoint = (me && me.getAttribute("data-sitegen-events")) || "/__sitegen/events";
  var overlay = null;

  function showError(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "sitegen-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,20,.92);color:#fff;font:14px/1.5 ui-monospace,monospace;padding:2em;";
      var h = document.createElement("h2");
      h.style.cssText = "color:#ff8a80;margin:0 0 1em;font:bold 18px/1.4 system-ui,sans-serif;";
      h.textContent = "构建失败 · Build failed (the last good build is shown)";
      var pre = document.createElement("pre");
      pre.className = "sitegen-error-text";
      pre.style.cssText = "white-space:pre-wrap;margin:0;";
      overlay.appendChild(h);
      overlay.appendChild(pre);
      (document.body || document.documentElement).appendChild(overlay);
    }
    overlay.querySelector("pre").textContent = text;
  }

  function swapStylesheets(id) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("__sitegen", id);
      var fresh = link.cloneNode(false);
      fresh.href = url.href;
      fresh.onload = fresh.onerror = function () { link.remove(); };
      link.after(fresh);
    });
  }

  var source = new EventSource(endpoint);
  source.addEventListener("build", function (event) {
    var msg = JSON.parse(event.data);
    if (!msg.ok) { showError(msg.error || "unknown error"); return; }
    if (overlay) { location.reload(); return; }
    if (msg.id === current) return;
    if (msg.css && msg.since === current) {
      swapStylesheets(msg.id);
      current = msg.id;
      return;
    }
    source.close();
    location.reload();
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
