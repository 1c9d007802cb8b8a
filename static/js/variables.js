/* Variables: "Save a value into a variable" under a response body.
   The JSON tree's values are buttons carrying their JSON Pointer (data-pointer); a click
   (or Enter / Space) opens the form below the body with that pointer and a suggested
   name, and focuses the name. Only the pointer and the record's id are posted: the
   server reads the value from the recorded response. No inline code (strict CSP). */
(function () {
  "use strict";

  function suggestedName(pointer) {
    var tokens = pointer.split("/").slice(1).map(function (t) {
      return t.replace(/~1/g, "/").replace(/~0/g, "~");
    });
    var names = tokens.filter(function (t) { return !/^\d+$/.test(t); });
    if (!names.length) return "value";
    var name = names[names.length - 1];
    // "/meterTypes/0/id" suggests meterTypeId: an id is named after what holds it.
    if (/^id$/i.test(name) && names.length > 1) {
      name = names[names.length - 2].replace(/s$/, "") + "Id";
    }
    name = name.replace(/[^A-Za-z0-9_.-]/g, "_");
    return /^[A-Za-z_]/.test(name) ? name : "_" + name;
  }

  document.addEventListener("click", function (event) {
    var pick = event.target.closest ? event.target.closest(".jt-pick") : null;
    if (!pick) return;
    var panel = pick.closest("#response-slot") || document;
    var box = panel.querySelector("[data-set-variable]");
    if (!box) return;
    var pointer = pick.getAttribute("data-pointer") || "";
    box.open = true;
    box.querySelector("[data-pick-pointer]").value = pointer;
    var name = box.querySelector("[data-pick-name]");
    name.value = suggestedName(pointer);
    var shown = box.querySelector("[data-pick-value]");
    shown.textContent = "Value at " + (pointer || "(the whole body)") + ": " + pick.textContent;
    shown.hidden = false;
    var result = box.querySelector("[data-set-variable-result]");
    if (result) result.textContent = "";
    name.focus();
    name.select();
  });
})();
