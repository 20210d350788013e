// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // The organization switcher submits as soon as another organization is picked.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.id === "org-switch" && target.form) {
      target.form.requestSubmit();
    }
  });

  // Escape closes the <details> that holds the focus (the menu on a phone, the diagram's
  // filters, a "more" form) and puts the focus back on its toggle.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) {
      return;
    }
    var active = document.activeElement;
    var open = active && active.closest ? active.closest("details[open]") : null;
    if (!open) {
      return;
    }
    var summary = open.querySelector(":scope > summary");
    if (!summary || getComputedStyle(summary).display === "none") {
      return; // shown inline on a wide screen: nothing to close
    }
    open.open = false;
    summary.focus();
    event.preventDefault();
  });

  // The menu closes when the page behind it is clicked or the focus leaves it.
  function closeMenu(event) {
    var menu = document.querySelector(".site-menu[open]");
    if (menu && event.target instanceof Node && !menu.contains(event.target)) {
      menu.open = false;
    }
  }
  document.addEventListener("click", closeMenu);
  document.addEventListener("focusin", closeMenu);

  // An htmx swap that replaces the focused element (the "Add success" button, an action's
  // "Mark done") would drop the focus to the top of the page. Put it back: on the same form
  // in the new content (its first field, ready for the next entry), else on the first
  // control the new content holds. A link that opens a form in place (`data-opens`, the
  // form's action) hands the focus to that form's first field.
  var FOCUSABLE = "textarea, input:not([type=hidden]), select, button, a[href]";
  var restore = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    restore = null;
    if (target && target.id && active && active !== document.body && target.contains(active)) {
      var form = active.closest("form");
      var action = form ? form.getAttribute("action") : active.getAttribute("data-opens");
      restore = { target: target.id, action: action };
    }
  });
  // An htmx answer that holds errors: the focus goes to the first one (the control it is
  // about, or the form's own message), which brings it on screen, and the page's live region
  // reads it out. Registered before the focus restore below, which then leaves it alone.
  function errorText(element) {
    var ids = (element.getAttribute("aria-describedby") || "").split(/\s+/);
    var texts = ids
      .map(function (id) { return id ? document.getElementById(id) : null; })
      .filter(function (node) { return node && node.classList.contains("errorlist"); })
      .map(function (node) { return node.textContent.trim(); });
    return texts.join(" ") || element.textContent.trim();
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var root = target && target.id ? document.getElementById(target.id) : target;
    if (!root || !root.isConnected) {
      return;
    }
    var first = root.querySelector('.form-errors, [aria-invalid="true"], .errorlist');
    if (!first) {
      return;
    }
    if (first.classList.contains("errorlist") && first.id) {
      first = root.querySelector('[aria-describedby~="' + first.id + '"]') || first;
    }
    if (!first.matches("input, select, textarea, button")) {
      first.setAttribute("tabindex", "-1");
    }
    var text = first.matches("input, select, textarea") ? errorText(first) : first.textContent.trim();
    first.focus({ preventScroll: true });
    first.scrollIntoView({ block: "center", behavior: "instant" });
    var announcer = document.getElementById("announcer");
    if (announcer && !first.closest("[role=alert]")) {
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = text; }, 50);
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var wanted = restore;
    restore = null;
    if (!wanted || (document.activeElement && document.activeElement !== document.body)) {
      return; // nothing was focused there, or htmx kept the focus itself
    }
    var root = document.getElementById(wanted.target);
    if (!root) {
      return;
    }
    var form = null;
    if (wanted.action) {
      form = Array.prototype.find.call(root.querySelectorAll("form"), function (candidate) {
        return candidate.getAttribute("action") === wanted.action;
      });
    }
    var control = (form || root).querySelector(FOCUSABLE) || root.querySelector(FOCUSABLE);
    if (control) {
      control.focus();
    }
  });
})();
