// Lambdesk portal: small enhancements; every page works without them.
// Adding a file posts its own form to storage and comes back, so what the customer typed in the request's
// form is kept in this tab's sessionStorage meanwhile and put back on return. With this script a chosen file
// is sent at once (no separate Upload button to forget: a file chosen but never uploaded was silently left
// out of the reply), and sending the request's form while a chosen file waits uploads the file first.
(function () {
  "use strict";
  // The browser's time zone (its '/' written '~'), for the server to show times in when the profile names none.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && /^[A-Za-z]+(\/[A-Za-z0-9_-]+){1,2}$/.test(zone)) {
      var secure = location.protocol === "https:";
      var name = (secure ? "__Host-" : "") + "tz";
      var value = zone.replace(/\//g, "~");
      if (document.cookie.split("; ").indexOf(name + "=" + value) < 0) {
        document.cookie = name + "=" + value + "; Path=/; Max-Age=31536000; SameSite=Lax" + (secure ? "; Secure" : "");
      }
    }
  } catch (e) { /* no Intl: times stay in UTC */ }
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
    var uploads = document.querySelectorAll("form[data-upload]");
    function waiting() {
      for (var i = 0; i < uploads.length; i++) {
        var input = uploads[i].querySelector("input[type=file]");
        if (input && input.files && input.files.length) { return uploads[i]; }
      }
      return null;
    }
    function upload(form) {
      if (form.getAttribute("aria-busy") === "true") { return; }
      if (form.requestSubmit) { form.requestSubmit(); } else { save(); form.submit(); }
    }
    uploads.forEach(function (form) {
      var button = form.querySelector("button[type=submit]");
      var input = form.querySelector("input[type=file]");
      form.addEventListener("submit", function () {
        save();
        if (button) { button.setAttribute("aria-disabled", "true"); button.classList.add("is-busy"); }
        form.setAttribute("aria-busy", "true");
      });
      if (input && button) {
        button.hidden = true;
        input.addEventListener("change", function () { if (input.files && input.files.length) { upload(form); } });
      }
    });
    document.querySelectorAll("form[data-draft-form]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var pending = waiting();
        if (pending) { event.preventDefault(); save(); upload(pending); return; }
        forget();
      });
    });
  });
})();
