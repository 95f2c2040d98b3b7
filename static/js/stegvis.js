// Small progressive enhancements; every page works without them.
"use strict";
document.addEventListener("click", function (event) {
  // Grid shortcuts: a button with data-fill-target="selector" and data-fill-value
  // fills every matching input (whole row or whole day in the attendance grid).
  const button = event.target.closest("[data-fill-target]");
  if (!button) return;
  event.preventDefault();
  document.querySelectorAll(button.dataset.fillTarget).forEach(function (input) {
    input.value = button.dataset.fillValue;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
});
