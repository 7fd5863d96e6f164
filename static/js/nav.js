// The navigation's menu button on narrow screens (CSS hides the navigation behind it only once
// this script runs, so that without JavaScript the navigation simply shows). No inline code:
// the Content-Security-Policy allows scripts from this site only.
(function () {
  "use strict";
  function setUp() {
    var button = document.querySelector(".menu-button[aria-controls]");
    if (!button) return;
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    button.hidden = false;
    button.setAttribute("aria-expanded", "false");
    document.documentElement.classList.add("js-menu");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
