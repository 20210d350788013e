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
})();
