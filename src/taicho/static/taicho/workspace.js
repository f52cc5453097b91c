// Staff workspace: keyboard shortcuts and small conveniences; every page works without this file.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  // Single keys outside form fields: the digits switch inbox tabs, "n" opens reception, "k" batch signing,
  // "/" goes to the procedure search.
  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || typing(document.activeElement)) return;
    if (ev.key === "/") {
      var search = document.getElementById("procedure-search");
      if (search) { ev.preventDefault(); search.focus(); }
      return;
    }
    var target = document.querySelector('[data-key="' + ev.key.toLowerCase() + '"]');
    if (target) { ev.preventDefault(); target.click(); }
  });
  // The owner's fields only when the owner is not the applicant.
  var ownerBox = document.getElementById("id_owner_is_applicant");
  var ownerFields = document.getElementById("owner-fields");
  if (ownerBox && ownerFields) {
    ownerBox.addEventListener("change", function () { ownerFields.classList.toggle("d-none", ownerBox.checked); });
  }
  // Show the chosen result template's fields only.
  document.querySelectorAll("form.draft-form").forEach(function (form) {
    var select = form.querySelector('select[name="template"]');
    if (!select) return;
    function sync() {
      form.querySelectorAll("[data-template-group]").forEach(function (group) {
        group.hidden = group.getAttribute("data-template-group") !== select.value;
      });
    }
    select.addEventListener("change", sync);
    sync();
  });
  // Checklist: a paper marked "Không đạt" needs its note; go to it (the server checks it too).
  document.querySelectorAll(".check-row input[type=radio]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var note = radio.closest(".check-row").querySelector("input[type=text]");
      if (!note) return;
      note.required = radio.value === "failed" && radio.checked;
      if (note.required && !note.value.trim()) note.focus();
    });
  });
  // Component viewer: switch the embedded PDF without reloading the page.
  var viewer = document.getElementById("viewer");
  document.querySelectorAll("[data-viewer]").forEach(function (link) {
    link.addEventListener("click", function (ev) {
      if (!viewer) return;
      ev.preventDefault();
      viewer.src = link.getAttribute("data-viewer");
      document.querySelectorAll("[data-viewer]").forEach(function (l) { l.classList.toggle("active", l === link); });
    });
  });
  // Batch signing: select all.
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll(".batch-choice").forEach(function (box) { box.checked = all.checked; });
    });
  }
  // A refusal at reception needs its reason: focus the reason field instead of posting an empty one.
  document.querySelectorAll("[data-needs-reason]").forEach(function (button) {
    button.addEventListener("click", function (ev) {
      var reason = document.getElementById("id_reason");
      if (reason && !reason.value.trim()) { ev.preventDefault(); reason.focus(); reason.classList.add("is-invalid"); }
    });
  });
})();
