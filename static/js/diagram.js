// The diagram's links live inside SVG, where htmx does not stop the browser from following
// them; stop it here so that the panel swaps in place. Without this file the links still work
// as plain links to full pages.
(function () {
  "use strict";
  // Which part of the drawing opened the panel (its data-quadrant or data-flow), so that
  // closing the panel can put the focus back on it.
  var opener = null;
  var returning = false;

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("svg a[hx-get]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      var quadrant = link.getAttribute("data-quadrant");
      var flow = link.getAttribute("data-flow");
      opener = quadrant ? "[data-quadrant='" + quadrant + "']" : flow ? "[data-flow='" + flow + "']" : null;
    }
    if (event.target.closest && event.target.closest("#panel .panel-close")) {
      returning = true;
      // A panel opened as a whole page (a link followed before this file ran, a bookmark)
      // has no opener here: the panel names the part it shows.
      var shown = document.querySelector("#panel [data-selects]");
      if (!opener && shown) {
        var key = shown.getAttribute("data-selects");
        opener = /^[A-Z]$/.test(key) ? "[data-quadrant='" + key + "']" : "[data-flow='" + key + "']";
      }
    }
  });

  function visible(element) {
    return element.getClientRects().length > 0;
  }

  // After the panel opens, move focus to its heading so keyboard and screen reader users
  // land on what they asked for; after it closes, back to the part of the drawing that
  // opened it. Both wait for htmx to settle: until then the panel's own links (Close among
  // them) are not set up, and an Escape pressed at once would follow Close as a plain link,
  // loading the whole page.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "panel") {
      var title = document.getElementById("panel-title");
      if (title) {
        title.focus({ preventScroll: false });
      }
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!returning || document.getElementById("panel-title")) {
      return;
    }
    returning = false;
    var links = opener ? document.querySelectorAll("svg a" + opener) : [];
    var link = Array.prototype.find.call(links, visible);
    if (link) {
      link.focus();
    }
  });

  // The part of the drawing whose panel is open is marked aria-current (and outlined by the
  // stylesheet); the panel names it (data-selects) whenever it changes, in place or from
  // history, in both drawings (the wide box and the phone's).
  function markSelected() {
    var header = document.querySelector("#panel [data-selects]");
    var selected = header ? header.getAttribute("data-selects") : "";
    var links = document.querySelectorAll("svg.diagram a[data-quadrant], svg.diagram a[data-flow]");
    Array.prototype.forEach.call(links, function (link) {
      var key = link.getAttribute("data-quadrant") || link.getAttribute("data-flow");
      if (selected && key === selected) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  }
  document.addEventListener("htmx:afterSettle", markSelected);
  document.addEventListener("htmx:historyRestore", markSelected);

  // Escape closes the panel, as its Close link does.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) {
      return;
    }
    var panel = document.getElementById("panel");
    var close = panel && panel.querySelector(".panel-close");
    if (close && panel.contains(document.activeElement)) {
      event.preventDefault();
      close.click();
    }
  });
})();
