// Herald portal: elderly-friendly mode, copy link, native share, and — on
// statically exported pages — the view beacon and a fresh hot list.
(function () {
  "use strict";
  var root = document.documentElement;
  var care = document.getElementById("care-toggle");
  if (care) {
    care.setAttribute("aria-pressed", root.classList.contains("care") ? "true" : "false");
    care.addEventListener("click", function () {
      var on = root.classList.toggle("care");
      care.setAttribute("aria-pressed", on ? "true" : "false");
      try { localStorage.setItem("herald-care", on ? "1" : "0"); } catch (e) {}
      document.cookie = "care=" + (on ? "1" : "0") + ";path=/;max-age=31536000;samesite=lax";
    });
  }
  var copy = document.getElementById("copy-link");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.getAttribute("data-url")).then(function () {
        copy.textContent = copy.getAttribute("data-done");
      });
    });
  }
  var share = document.getElementById("web-share");
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: share.getAttribute("data-title"), url: share.getAttribute("data-url") }).catch(function () {});
    });
  }
  var beacon = root.getAttribute("data-beacon");
  var article = root.getAttribute("data-article");
  if (beacon && article && !(document.prerendering)) {
    // where the reader came from: the link's from parameter, and the
    // origin (never the path) of another site's page that linked here
    var from = /[?&]from=([a-z]+)/.exec(location.search);
    var origin = /^https?:\/\/[^\/?#]+/i.exec(document.referrer || "");
    var referrer = origin && origin[0].replace(/^https?:\/\//i, "").toLowerCase() !== location.host.toLowerCase() ? origin[0] : "";
    var body = JSON.stringify({ article_id: Number(article), from: from ? from[1] : "", referrer: referrer });
    if (!(navigator.sendBeacon && navigator.sendBeacon(beacon, new Blob([body], { type: "application/json" })))) {
      fetch(beacon, { method: "POST", body: body, headers: { "Content-Type": "application/json" }, keepalive: true }).catch(function () {});
    }
  }
  var hot = document.querySelector("[data-hot-src]");
  if (hot && window.fetch) {
    fetch(hot.getAttribute("data-hot-src")).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) return;
      var prefix = document.body.classList.contains("phone") ? "/m" : ""; // the phone pages link to phone pages
      ["day", "week", "month"].forEach(function (period) {
        var list = document.getElementById("hot-" + period);
        if (!list || !data[period]) return;
        list.textContent = "";
        data[period].forEach(function (item) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = prefix + item.url; a.textContent = item.title;
          if (item.lang) a.lang = item.lang;
          li.appendChild(a);
          list.appendChild(li);
        });
      });
    }).catch(function () {});
  }
})();
