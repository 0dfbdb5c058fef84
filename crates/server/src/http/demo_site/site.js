// The demo shop's script (crates/server/src/http/demo_site.rs): starts the
// Veil recorder, which records nothing until the visitor accepts in the
// banner, and makes the forms answer without sending anything anywhere.
(function () {
  "use strict";
  var script = document.currentScript;
  var site = (script && script.getAttribute("data-site")) || "demo";
  var CHOICE = "demo-shop:consent";

  function choice() {
    try { return window.localStorage.getItem(CHOICE); } catch (e) { return null; }
  }
  function remember(value) {
    try { window.localStorage.setItem(CHOICE, value); } catch (e) { /* private mode */ }
  }

  function start() {
    if (!window.veil) return;
    window.veil.init({ site: site, endpoint: window.location.origin });
    var banner = document.getElementById("consent-banner");
    if (!choice() && banner) banner.hidden = false;
    document.getElementById("consent-accept").addEventListener("click", function () {
      remember("accepted");
      banner.hidden = true;
      window.veil.consent.grant(["recording", "heatmaps"]).catch(function (error) {
        console.warn("veil: consent was not recorded", error);
      });
    });
    document.getElementById("consent-decline").addEventListener("click", function () {
      remember("declined");
      banner.hidden = true;
    });
    document.getElementById("consent-settings").addEventListener("click", function (event) {
      event.preventDefault();
      if (choice() === "accepted") {
        window.veil.consent.withdraw({ erase: false });
      }
      try { window.localStorage.removeItem(CHOICE); } catch (e) { /* private mode */ }
      banner.hidden = false;
    });
  }

  // Forms of the demo go nowhere: they are replaced by their thank-you note.
  function forms() {
    var all = document.querySelectorAll("form[data-done]");
    Array.prototype.forEach.call(all, function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var done = document.createElement("p");
        done.className = "done";
        done.textContent = form.getAttribute("data-done");
        form.replaceWith(done);
      });
    });
  }

  function ready() {
    start();
    forms();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
