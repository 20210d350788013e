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
})();
