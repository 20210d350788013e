// The diagram's links live inside SVG, where htmx does not stop the browser from following
// them; stop it here so that the panel swaps in place. Without this file the links still work
// as plain links to full pages.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("svg a[hx-get]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
    }
  });
  // After the panel opens, move focus to its heading so keyboard and screen reader users
  // land on what they asked for.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "panel") {
      var title = document.getElementById("panel-title");
      var panel = document.getElementById("panel");
      if (title && panel) {
        panel.focus({ preventScroll: false });
      }
    }
  });
})();
