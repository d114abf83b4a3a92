// Herald portal: search-as-you-type. Every input[data-suggest] (the header's
// box and the search page's) becomes an ARIA 1.2 combobox: after a short pause
// in typing it asks data-suggest for matching titles and lists them under the
// box; Up and Down move through them, Enter opens one, Escape closes the list
// (and, pressed again, clears the box). Without this script, or when the
// suggestions cannot be fetched, the boxes stay plain GET forms to /search.
(function () {
  "use strict";
  if (!window.fetch || !document.querySelectorAll || !window.JSON) return;
  var DELAY = 200; // ms after the last keystroke
  var MAX = 10;
  var boxes = document.querySelectorAll("input[data-suggest]");
  for (var i = 0; i < boxes.length; i++) combobox(boxes[i]);

  // sitePath accepts only a path on this site: the list must never send a
  // reader elsewhere, whatever the endpoint answers.
  function sitePath(u) {
    return typeof u === "string" && /^\/(?![\/\\])/.test(u);
  }

  function combobox(input) {
    var endpoint = input.getAttribute("data-suggest");
    var prefix = input.getAttribute("data-prefix") || ""; // "/m" on phone pages
    var wrap = input.parentNode;
    var listId = input.id + "-list";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggest";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("data-list-label") || "");
    list.hidden = true;
    var live = document.createElement("div");
    live.className = "vh";
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    wrap.appendChild(list);
    wrap.appendChild(live);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    var items = [], active = -1, timer = 0, pending = null, cache = {}, shownFor = "", leaving = false;

    function lang() {
      // the search page's language filter, as currently chosen
      var sel = input.form && input.form.elements.lang;
      return sel && sel.value !== undefined ? sel.value : (input.getAttribute("data-lang") || "");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (!items.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function select(i) {
      var opts = list.children;
      if (active >= 0 && opts[active]) opts[active].setAttribute("aria-selected", "false");
      active = i;
      if (i < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      opts[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", opts[i].id);
      if (opts[i].scrollIntoView) opts[i].scrollIntoView({ block: "nearest" });
    }

    function go(i) {
      var s = items[i];
      if (!s) return;
      var url = sitePath(s.url) ? s.url : "/articles/" + Number(s.id) + ".html";
      if (prefix && url.indexOf("/articles/") === 0) url = prefix + url;
      leaving = true;
      close();
      window.location.href = url;
    }

    // label writes title into li, marking where it contains what was typed.
    function label(li, title, typed) {
      var at = title.toLowerCase().indexOf(typed.toLowerCase());
      if (!typed || at < 0) {
        li.textContent = title;
        return;
      }
      li.appendChild(document.createTextNode(title.slice(0, at)));
      var m = document.createElement("mark");
      m.textContent = title.slice(at, at + typed.length);
      li.appendChild(m);
      li.appendChild(document.createTextNode(title.slice(at + typed.length)));
    }

    function show(typed, suggestions) {
      items = [];
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      (suggestions || []).slice(0, MAX).forEach(function (s, i) {
        if (!s || typeof s.title !== "string") return;
        var li = document.createElement("li");
        li.id = listId + "-" + items.length;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        label(li, s.title, typed);
        var n = items.length;
        // mousedown would take the focus from the box and close the list first
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { go(n); });
        list.appendChild(li);
        items.push(s);
      });
      shownFor = typed;
      if (items.length && document.activeElement === input) {
        open();
        live.textContent = (input.getAttribute("data-msg-count") || "%d").replace("%d", items.length);
      } else {
        close();
        live.textContent = "";
      }
    }

    function ask(typed) {
      var key = lang() + "\n" + typed;
      if (cache[key]) {
        show(typed, cache[key]);
        return;
      }
      if (pending && pending.abort) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      var url = endpoint + "?q=" + encodeURIComponent(typed) + (lang() ? "&lang=" + encodeURIComponent(lang()) : "");
      fetch(url, { signal: pending ? pending.signal : undefined, headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.suggestions) return;
          cache[key] = data.suggestions;
          if (input.value.trim() === typed) show(typed, data.suggestions); // not stale
        })
        .catch(function () {}); // aborted or offline: the form still works
    }

    function onType(e) {
      // While an input method composes (pinyin, wubi…), the box holds letters,
      // not what the reader means: wait for the composition to end.
      if (e && e.isComposing) return;
      clearTimeout(timer);
      var typed = input.value.trim();
      if (!typed) {
        if (pending && pending.abort) pending.abort();
        items = [];
        list.textContent = "";
        close();
        return;
      }
      if (typed !== shownFor) close(); // the titles shown no longer fit
      timer = setTimeout(function () { ask(typed); }, DELAY);
    }
    input.addEventListener("input", onType);
    input.addEventListener("compositionend", function () { onType(); });

    input.addEventListener("keydown", function (e) {
      var key = e.key;
      if (e.isComposing || e.keyCode === 229) return; // the input method's keys
      var current = items.length > 0 && shownFor === input.value.trim(); // not left from other words
      if (key === "ArrowDown" || key === "Down") {
        if (!current) return;
        e.preventDefault();
        if (list.hidden) {
          open();
          select(0);
        } else {
          select(active + 1 < items.length ? active + 1 : 0);
        }
      } else if (key === "ArrowUp" || key === "Up") {
        if (!current) return;
        e.preventDefault();
        if (list.hidden) {
          open();
          select(items.length - 1);
        } else {
          select(active > 0 ? active - 1 : items.length - 1);
        }
      } else if (key === "Enter") {
        if (!list.hidden && active >= 0) {
          e.preventDefault(); // open the title instead of searching
          go(active);
        }
      } else if (key === "Escape" || key === "Esc") {
        if (!list.hidden) {
          e.preventDefault();
          close();
        } else if (input.value) {
          e.preventDefault();
          input.value = "";
          items = [];
          list.textContent = "";
        }
      } else if (key === "Tab") {
        close();
      }
    });

    // Enter on a suggestion opens it; the form must not also search (some
    // keyboards and automation send the Enter that submits apart from keydown).
    if (input.form) {
      input.form.addEventListener("submit", function (e) {
        if (leaving || (!list.hidden && active >= 0)) {
          e.preventDefault();
          if (!leaving) go(active);
        }
      });
    }
    window.addEventListener("pageshow", function () { leaving = false; }); // back from the article

    input.addEventListener("focus", function () {
      if (items.length && shownFor === input.value.trim()) open();
    });
    input.addEventListener("blur", close);
  }
})();
