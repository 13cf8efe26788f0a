// The deputy-group choice matters only for the "one deputy group" audience: hide it
// otherwise. Without JavaScript the field simply stays visible (the server ignores it).
(function () {
  "use strict";
  function setup() {
    var form = document.querySelector("[data-publish-form]");
    if (!form) { return; }
    var group = form.querySelector("[data-group-field]");
    var radios = form.querySelectorAll("input[name=audience]");
    function sync() {
      var checked = form.querySelector("input[name=audience]:checked");
      group.hidden = !(checked && checked.value === "group");
    }
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
