/* Renda page behaviour. Loaded as a static file: the Content-Security-Policy allows no
   inline script. Everything here is an enhancement; every page works without it. */
(function () {
  "use strict";

  // htmx requests that change data (POST) carry Django's CSRF token from the page's meta tag;
  // the cookie itself is HttpOnly, so the meta tag is the only place scripts can read it.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });

  // After htmx replaces the results, announce nothing twice and keep keyboard users in place:
  // if focus was lost with the old content, put it on the new results.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && document.activeElement === document.body) {
      var results = document.getElementById("results");
      if (results) {
        results.setAttribute("tabindex", "-1");
        results.focus({ preventScroll: true });
      }
    }
  });

  // When htmx changes the address (live filters, paging), the header's forms (large text,
  // language) must come back to the new address, not the one the page was first loaded at.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    var here = window.location.pathname + window.location.search;
    document.querySelectorAll(".site-header input[name='next']").forEach(function (input) {
      input.value = here;
    });
  });

  // A failed htmx request (server error, network down) says so instead of silently doing nothing.
  document.addEventListener("htmx:responseError", function () {
    var box = document.getElementById("results");
    if (box && box.dataset.errorShown !== "1") {
      var p = document.createElement("p");
      p.className = "message message-error";
      p.setAttribute("role", "alert");
      // The text comes translated from the page (data-load-failed on <body>).
      p.textContent = document.body.dataset.loadFailed || "";
      box.prepend(p);
      box.dataset.errorShown = "1";
    }
  });

  // Submit once: a second tap on a slow phone connection would otherwise post the form again
  // (the server also recognises a repeated submission by its one-time key).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    form.querySelectorAll("[data-disable-on-submit]").forEach(function (button) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
