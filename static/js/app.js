// Installable app: register the programme's service worker (offline page only, no personal data).
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  });
}

// Live searches (the manual pairing form, matching/_pair_field.html): htmx brings the results
// as the person types. Enter then searches at once instead of sending the whole form, and the
// down arrow moves to the results (the chosen radio, else the first). Without htmx, Enter sends
// the form, whose first button is a search: the page comes back with the results.
document.addEventListener("keydown", function (event) {
  var field = event.target;
  if (!window.htmx || !field.matches || !field.matches("input[data-live-search]")) return;
  if (event.key === "Enter") {
    event.preventDefault();
    window.htmx.trigger(field, "search");
  } else if (event.key === "ArrowDown") {
    var results = document.getElementById(field.getAttribute("aria-controls"));
    var radio = results && (results.querySelector("input:checked") || results.querySelector("input"));
    if (radio) {
      event.preventDefault();
      radio.focus();
    }
  }
});
