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

// --- Attendance grid (issue 6 screens) ------------------------------------------------
// A button with data-fill-planned="selector" fills every matching hours input that
// is a scheduled day (data-scheduled) with its own planned hours (data-planned) and
// sets the absence reason of the same cell (data-cell) back to "present".
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-fill-planned]");
  if (!button) return;
  event.preventDefault();
  document.querySelectorAll(button.dataset.fillPlanned).forEach(function (input) {
    if (!input.hasAttribute("data-scheduled")) return;
    input.value = input.dataset.planned;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    const reason = document.querySelector(
      'select[data-cell="' + CSS.escape(input.dataset.cell) + '"]'
    );
    if (reason) reason.value = "";
  });
});
// --- end attendance grid ---------------------------------------------------------------
