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
// A button with data-fill-planned="selector" fills the matching hours inputs with
// their own planned hours (data-planned, written as the page's language writes
// numbers). Only inputs exist for days that take hours (not ahead of today, inside
// the placement, not paused), and of those a shortcut fills only a scheduled day
// (data-scheduled) that is still empty, has no absence reason and is on screen
// (the narrow layout shows one day): it never overwrites what someone entered.
function attendanceReasonOf(input) {
  return document.querySelector(
    'select.reason[data-cell="' + CSS.escape(input.dataset.cell) + '"]'
  );
}
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-fill-planned]");
  if (!button) return;
  event.preventDefault();
  document.querySelectorAll(button.dataset.fillPlanned).forEach(function (input) {
    if (!input.hasAttribute("data-scheduled") || input.value.trim() !== "") return;
    if (input.getClientRects().length === 0) return;
    const reason = attendanceReasonOf(input);
    if (reason && reason.value !== "") return;
    input.value = input.dataset.planned;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
});
// An absence reason means the day counts 0 hours (placements.services): choosing
// one sets the day's hours to 0.
document.addEventListener("change", function (event) {
  const reason = event.target.closest("select.reason[data-cell]");
  if (!reason || reason.value === "") return;
  const hours = document.querySelector(
    'input.hours[data-cell="' + CSS.escape(reason.dataset.cell) + '"]'
  );
  if (hours) hours.value = "0";
});
// --- end attendance grid ---------------------------------------------------------------

// --- Busy forms -----------------------------------------------------------------------
// A form with data-busy-message computes something slow on the server (the outcome
// report over many enterprises). On submit it shows the message in its
// [data-busy-status] element and disables its submit buttons, so the wait is
// visible and nobody starts the same computation twice. A page restored from the
// back-forward cache gets its buttons back.
document.addEventListener("submit", function (event) {
  const form = event.target.closest("form[data-busy-message]");
  if (!form || event.defaultPrevented) return;
  form.setAttribute("aria-busy", "true");
  const status = form.querySelector("[data-busy-status]");
  if (status) status.textContent = form.dataset.busyMessage;
  form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
    button.disabled = true;
  });
});
window.addEventListener("pageshow", function (event) {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-busy-message][aria-busy]").forEach(function (form) {
    form.removeAttribute("aria-busy");
    const status = form.querySelector("[data-busy-status]");
    if (status) status.textContent = "";
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
  });
});
// --- end busy forms --------------------------------------------------------------------

// --- Slow downloads ---------------------------------------------------------------------
// A link with data-download fetches a file the server computes first (the outcome
// report as PDF, CSV or XLSX: half a minute over many enterprises). A download does
// not leave the page, so the page says it is working in [data-download-status] until
// the file arrives: the link carries a random token, and the response returns it in
// the stegvis_download cookie (casework.views_reports). One file at a time.
// Without this script the links are plain downloads.
const DOWNLOAD_COOKIE = "stegvis_download";
document.addEventListener("click", function (event) {
  const link = event.target.closest("a[data-download]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const box = link.closest("[data-downloads]");
  const status = document.querySelector("[data-download-status]");
  if (!box || !status) return;
  event.preventDefault();
  if (box.getAttribute("aria-busy") === "true") return;
  const bytes = new Uint8Array(8);
  window.crypto.getRandomValues(bytes);
  const token = Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  const url = new URL(link.href);
  url.searchParams.set("download", token);
  box.setAttribute("aria-busy", "true");
  status.textContent = box.dataset.busyMessage;
  const started = Date.now();
  const timer = window.setInterval(function () {
    const arrived = document.cookie.split("; ").indexOf(DOWNLOAD_COOKIE + "=" + token) !== -1;
    if (!arrived && Date.now() - started < 10 * 60 * 1000) return;
    window.clearInterval(timer);
    document.cookie = DOWNLOAD_COOKIE + "=; Max-Age=0; path=/; SameSite=Strict";
    box.removeAttribute("aria-busy");
    status.textContent = arrived ? box.dataset.doneMessage : "";
  }, 500);
  window.location.assign(url.toString());
});
// --- end slow downloads ----------------------------------------------------------------
