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
})();
