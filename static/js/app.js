/* Small progressive enhancements; the site works without them (CSP forbids inline scripts). */
(function () {
  "use strict";

  // Forms with data-confirm ask before submitting (suspend, archive, close...).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Registration: the credit code is optional only for universities.
  function updateCreditCodeHint() {
    var checked = document.querySelector("input[name='kind']:checked");
    var label = document.querySelector("label[for='credit_code']");
    if (!checked || !label) { return; }
    var optional = checked.value === "university";
    label.textContent = optional ? "统一社会信用代码（高校可不填）" : "统一社会信用代码（必填）";
    var station = document.getElementById("station-choice");
    if (station) { station.hidden = checked.value !== "enterprise"; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var radios = document.querySelectorAll("#register-form input[name='kind']");
    for (var i = 0; i < radios.length; i++) {
      radios[i].addEventListener("change", updateCreditCodeHint);
    }
    updateCreditCodeHint();
  });

  // -- Navigation: the phone menu button and the group dropdowns --------------------------------
  function setMenu(open) {
    var toggle = document.getElementById("nav-toggle");
    var panel = document.getElementById("nav-panel");
    if (!toggle || !panel) { return; }
    panel.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {   // in the phone menu every group is shown expanded
      var groups = panel.querySelectorAll("details.nav-group");
      for (var i = 0; i < groups.length; i++) { groups[i].open = true; }
    }
  }

  function closeGroups(except) {
    var groups = document.querySelectorAll("details.nav-group[open]");
    for (var i = 0; i < groups.length; i++) {
      if (groups[i] !== except) { groups[i].open = false; }
    }
  }

  function menuIsOpen() {
    var panel = document.getElementById("nav-panel");
    return !!panel && panel.classList.contains("open");
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("#nav-toggle");
    if (toggle) {
      event.preventDefault();   // no #nav-panel in the address bar: the button toggles instead
      setMenu(!menuIsOpen());
      return;
    }
    // Wide screens: one dropdown open at a time, closed by a click elsewhere.
    if (!menuIsOpen()) {
      var group = event.target.closest && event.target.closest("details.nav-group");
      closeGroups(group);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (menuIsOpen()) { setMenu(false); document.getElementById("nav-toggle").focus(); }
      closeGroups(null);
    }
  });

  // -- Flash messages: next to the #anchor the redirect landed on, and announced -------------------
  function placeFlashes() {
    var box = document.getElementById("flashes");
    if (!box || !box.querySelector(".flash")) { return; }
    var target = null;
    if (window.location.hash.length > 1) {
      try { target = document.getElementById(decodeURIComponent(window.location.hash.slice(1))); }
      catch (e) { target = null; }
    }
    if (target && target.parentNode && target.id !== "nav-panel") {
      // Inside a section the anchor scroll brings its top, and so the message, into view.
      if (/^(SECTION|ARTICLE|DIV|ASIDE|FIELDSET)$/.test(target.tagName)) {
        target.insertBefore(box, target.firstChild);
      } else {
        target.parentNode.insertBefore(box, target);
      }
      box.classList.add("flashes-at-anchor");
    }
    // Live regions announce changes, not what was there on load: re-insert the messages.
    var messages = Array.prototype.slice.call(box.children);
    messages.forEach(function (m) { box.removeChild(m); });
    window.setTimeout(function () {
      messages.forEach(function (m) { box.appendChild(m); });
      if (target) { box.scrollIntoView({block: "nearest"}); }
    }, 50);
  }

  document.addEventListener("DOMContentLoaded", placeFlashes);
})();

