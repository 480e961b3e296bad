// Lambdesk portal: small enhancements; every page works without them.
// Adding a file posts its own form to storage and comes back, so what the customer typed in the request's
// form is kept in this tab's sessionStorage meanwhile and put back on return.
(function () {
  "use strict";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  function key(field) { return "draft:" + location.pathname + ":" + field.name; }
  function fields() { return document.querySelectorAll("[data-draft]"); }
  function save() {
    fields().forEach(function (f) { if (f.value) { store.setItem(key(f), f.value); } });
  }
  function restore() {
    fields().forEach(function (f) {
      var kept = store.getItem(key(f));
      if (kept !== null && !f.value) { f.value = kept; }
    });
  }
  function forget() { fields().forEach(function (f) { store.removeItem(key(f)); }); }
  document.addEventListener("DOMContentLoaded", function () {
    restore();
    document.querySelectorAll("form[data-upload]").forEach(function (form) {
      form.addEventListener("submit", function () {
        save();
        var button = form.querySelector("button[type=submit]");
        if (button) { button.setAttribute("aria-disabled", "true"); button.classList.add("is-busy"); }
        form.setAttribute("aria-busy", "true");
      });
    });
    document.querySelectorAll("form[data-draft-form]").forEach(function (form) {
      form.addEventListener("submit", forget);
    });
  });
})();
