/* Progressive enhancements; every page works without them. */
(function () {
  "use strict";
  var root = document.documentElement;
  var THEME_KEY = "theme";

  function systemTheme() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function currentTheme() {
    return root.dataset.theme || systemTheme();
  }
  function labelToggle(button) {
    var next = currentTheme() === "dark" ? "light" : "dark";
    button.setAttribute("aria-label", button.dataset["label" + (next === "dark" ? "Dark" : "Light")]);
    button.setAttribute("title", button.getAttribute("aria-label"));
  }

  function initThemeToggle() {
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.hidden = false;
      labelToggle(button);
      button.addEventListener("click", function () {
        var next = currentTheme() === "dark" ? "light" : "dark";
        root.dataset.theme = next;
        try { localStorage.setItem(THEME_KEY, next); } catch (e) { /* private mode: this page only */ }
        labelToggle(button);
      });
    });
  }

  // A pick from the open list switches at once. An arrow key (or a letter) on the closed
  // select steps to the next option, a change too: going there on each one left a keyboard
  // user no way past the first language stepped on. Such a change waits for Enter, or for the
  // Change button, shown then.
  function initLanguageSwitcher() {
    document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
      var stepping = false;
      select.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && select.form.classList.contains("is-changed")) {
          event.preventDefault();
          select.form.submit();
          return;
        }
        stepping = !event.altKey && event.key !== " " &&
          (event.key.length === 1 || /^(Arrow|Page|Home|End)/.test(event.key));
      });
      select.addEventListener("mousedown", function () { stepping = false; });
      select.addEventListener("change", function () {
        if (stepping) select.form.classList.add("is-changed");
        else select.form.submit();
      });
    });
  }

  function dismiss(toast) {
    toast.classList.add("is-leaving");
    setTimeout(function () { toast.remove(); }, 220);
  }
  // A success goes by itself after a while, but not while the reader is on it (the pointer
  // over it, focus on its Dismiss button): the clock starts again when they leave.
  function dismissLater(toast) {
    var timer = null;
    function restart() {
      clearTimeout(timer);
      if (toast.matches(":hover") || toast.contains(document.activeElement)) return;
      timer = setTimeout(function () { if (toast.isConnected) dismiss(toast); }, 6000);
    }
    ["mouseenter", "mouseleave", "focusin", "focusout"].forEach(function (name) {
      toast.addEventListener(name, function () { setTimeout(restart, 0); });
    });
    restart();
  }
  function initToasts(scope) {
    (scope || document).querySelectorAll(".toast").forEach(function (toast) {
      if (toast.dataset.ready) return;
      toast.dataset.ready = "1";
      var close = toast.querySelector(".toast-close");
      if (close) { close.hidden = false; close.addEventListener("click", function () { dismiss(toast); }); }
      if (!toast.classList.contains("toast-error")) dismissLater(toast);
    });
  }

  function initCopyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var target = document.getElementById(button.dataset.copyTarget);
      if (!target || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(target.textContent.trim()).then(function () {
          var label = button.querySelector("[data-copy-label]");
          if (!label) return;
          var before = label.textContent;
          label.textContent = button.dataset.copied;
          setTimeout(function () { label.textContent = before; }, 1600);
        });
      });
    });
  }

  // htmx requests carry the CSRF token when the page has one (signed-in pages). A page shown
  // in the language of its address (?lang=, the hreflang links) asks for its fragments in the
  // same one: they came in the browser's language otherwise, English rows in a Chinese page.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
    var lang = new URLSearchParams(window.location.search).get("lang");
    var path = event.detail.path;
    if (lang && !/[?&]lang=/.test(path)) {
      var joiner = path.indexOf("?") < 0 ? "?" : "&";
      event.detail.path = path + joiner + "lang=" + encodeURIComponent(lang);
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) { initToasts(event.target); });

  // An error toast made from the page's template (the messages of later requests).
  function showErrorToast(text) {
    var template = document.getElementById("toast-template");
    if (!template || !text) return;
    var shape = template.content.querySelector(".toasts");
    var section = document.querySelector(".toasts");
    if (!section) {
      section = shape.cloneNode(false);
      document.body.appendChild(section);
    }
    var shown = [].some.call(section.querySelectorAll(".toast p"), function (p) {
      return p.textContent === text;
    });
    if (shown) return;
    var toast = shape.querySelector(".toast").cloneNode(true);
    toast.querySelector("p").textContent = text;
    section.appendChild(toast);
    initToasts(section);
  }
  // htmx swaps nothing for a 4xx or 5xx answer (the ones shown in place are let through in
  // htmx:beforeSwap below). One that says why in plain text (a "load more" or "show more
  // comments" link the site did not make) is told as the page would tell it; any other (a list
  // made private meanwhile, a server error) and a request that got no answer at all are told
  // in general words, so that a click is never met with silence.
  function generalMessage(name) {
    var template = document.getElementById("toast-template");
    return template ? template.dataset[name] : "";
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
    showErrorToast((plain && xhr.responseText.trim()) || generalMessage("failed"));
  });
  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function () { showErrorToast(generalMessage("offline")); });
  });
  // "Load more" swaps its block for the next one, taking the focused link away: focus would
  // fall back to the top of the page. It goes to the first new row's first link instead.
  var growing = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var link = event.detail.elt;
    var list = event.detail.target;
    if (link === document.activeElement && link.closest(".load-more") && list) {
      growing = { list: list, count: list.children.length };
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!growing || event.detail.target !== growing.list) return;
    var row = growing.list.children[growing.count];
    var first = row && row.querySelector("a[href], button:not([disabled])");
    growing = null;
    // Unless the reader has moved on meanwhile.
    var lost = !document.activeElement || document.activeElement === document.body;
    if (first && lost) first.focus({ preventScroll: true });
  });
  // A block swapped in place of the control the reader pressed (a draft card's Publish, "Make
  // and save" in a collection menu, a deleted comment) takes focus away with it, and the next
  // Tab would start from the top of the page. Unless htmx kept it (an element of the same id),
  // focus goes to the new block's first control, or, when nothing took the block's place, to
  // the heading of its section (the comments and their new count).
  var replacing = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    if (target && target.id && active && active !== document.body && target.contains(active)) {
      replacing = { id: target.id, section: target.closest("section") };
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!replacing || !target || target.id !== replacing.id) return;
    var section = replacing.section;
    replacing = null;
    if (document.activeElement && document.activeElement !== document.body) return;
    var block = document.getElementById(target.id);
    var control = block ? block.querySelector(
      "button:not([disabled]), a[href], input:not([type=hidden]):not([disabled]), summary, textarea, select"
    ) : section && section.isConnected && section.querySelector("h2, h3");
    if (!control) return;
    if (!block) control.setAttribute("tabindex", "-1");
    control.focus();
  });
  // A comment posted in place joins the end of the comments shown; when more were still to
  // come, "Show more comments" brings it again where it belongs: the earlier copy goes.
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list || !list.classList || !list.classList.contains("comment-list")) return;
    var items = list.querySelectorAll(":scope > li.comment[id]");
    var seen = {};
    for (var i = items.length - 1; i >= 0; i--) {
      if (seen[items[i].id]) items[i].remove();
      seen[items[i].id] = true;
    }
  });
  // A reaction or a follow refused for going too fast (429), or a follow refused (403), comes
  // back as its block with the message: show it in place like a success (htmx swaps only 2xx
  // answers by default). Only that block: a 403 may also be a whole page (a CSRF failure).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var status = event.detail.xhr.status;
    if (!target) return;
    var reactions = status === 429 && target.classList.contains("reactions");
    var follow = (status === 429 || status === 403) && target.classList.contains("follow") &&
      (event.detail.serverResponse || "").trim().indexOf('<div class="follow') === 0;
    // A comment refused, invalid or too fast comes back as its form with the reason (and the
    // text kept); a refused delete as the reason for the live region.
    var text = (event.detail.serverResponse || "");
    var comment = (status === 400 || status === 403 || status === 429) &&
      (text.indexOf("data-comment-form") !== -1 || text.indexOf("data-comment-answer") !== -1);
    // "Save to collection" refused (a name of spaces, a full collection, too fast) comes back
    // as its block with the reason in its status line.
    var save = (status === 400 || status === 403 || status === 429) &&
      target.classList.contains("collection-save") &&
      text.trim().indexOf('<div class="collection-save"') === 0;
    if (reactions || follow || comment || save) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // "Show" on a blurred rated work goes away once pressed (the work is the point now), and
  // focus with it, to the top of the page: it goes to the work instead.
  document.addEventListener("toggle", function (event) {
    var reveal = event.target;
    if (!reveal.matches("details.rated-reveal") || !reveal.open) return;
    var active = document.activeElement;
    if (active && active !== document.body && !reveal.contains(active)) return;
    var media = reveal.parentNode.querySelector(".rated-media");
    if (!media) return;
    var video = media.querySelector("video");
    if (!video) media.setAttribute("tabindex", "-1");
    (video || media).focus();
  }, true);

  // The menus that float over the page (the account menu, a profile's More menu) close on
  // Escape, on a click outside and when focus moves on past them: left open, the panel hid the
  // controls that the next Tab reached.
  var POPUP_MENUS = "details.menu[open], details.member-menu[open]";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(POPUP_MENUS).forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll(POPUP_MENUS).forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("focusin", function (event) {
    document.querySelectorAll(POPUP_MENUS).forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  function init() {
    initThemeToggle();
    initLanguageSwitcher();
    initToasts();
    initCopyButtons();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();

  if (window.matchMedia) {
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
      document.querySelectorAll("[data-theme-toggle]").forEach(labelToggle);
    });
  }
})();
