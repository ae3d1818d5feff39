// Language switch of the case page, and the citation cards' Escape key. The choice is kept in localStorage so that a reader
// who follows a citation to the case finds it in the language they chose; the anchor
// (#p042) stays in view when the layout changes.
(function () {
  "use strict";
  var KEY = "casebook-case-lang";
  function apply(root, mode) {
    root.setAttribute("data-mode", mode);
    root.querySelectorAll(".case-switch-btn").forEach(function (btn) {
      btn.setAttribute("aria-pressed", btn.classList.contains("case-switch-" + mode) ? "true" : "false");
    });
  }
  function init() {
    document.querySelectorAll(".case-text.case-lang-both").forEach(function (root) {
      var saved = null;
      try { saved = window.localStorage.getItem(KEY); } catch (e) { saved = null; }
      apply(root, saved || "both");
      root.querySelectorAll(".case-switch-btn").forEach(function (btn) {
        btn.setAttribute("role", "button");
        btn.setAttribute("tabindex", "0");
        var mode = btn.className.match(/case-switch-(both|en|zh)/)[1];
        function choose(ev) {
          if (ev.type === "keydown" && ev.key !== "Enter" && ev.key !== " ") { return; }
          ev.preventDefault();
          var here = document.elementFromPoint(window.innerWidth / 2, 80);
          var para = here && here.closest ? here.closest(".case-para") : null;
          apply(root, mode);
          try { window.localStorage.setItem(KEY, mode); } catch (e) { /* private mode */ }
          if (para) { para.scrollIntoView(); }
        }
        btn.addEventListener("click", choose);
        btn.addEventListener("keydown", choose);
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }

  // A citation's passage card (shown by CSS on hover and focus) closes with Escape and opens
  // again when the pointer or focus leaves and comes back (WCAG 1.4.13, dismissible).
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") { return; }
    document.querySelectorAll(".para-cite:hover, .para-cite:focus-within").forEach(function (cite) {
      cite.classList.add("para-cite-closed");
    });
  });
  function reopen(ev) {
    var cite = ev.target.closest && ev.target.closest(".para-cite");
    if (cite) { cite.classList.remove("para-cite-closed"); }
  }
  document.addEventListener("focusin", reopen);
  document.addEventListener("mouseover", function (ev) {
    var cite = ev.target.closest && ev.target.closest(".para-cite");
    if (cite && !cite.contains(ev.relatedTarget)) { cite.classList.remove("para-cite-closed"); }
  });
})();
