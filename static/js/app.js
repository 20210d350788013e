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
  // control the new content holds.
  var FOCUSABLE = "textarea, input:not([type=hidden]), select, button, a[href]";
  var restore = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    restore = null;
    if (target && target.id && active && active !== document.body && target.contains(active)) {
      var form = active.closest("form");
      restore = { target: target.id, action: form ? form.getAttribute("action") : null };
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
