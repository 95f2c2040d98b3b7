// The header's menu button on narrow screens (stegvis.css: below 48rem the header's
// panel — menu, search, account — is closed until the button opens it). Loaded in
// <head> without defer, so the page is drawn with the panel closed from the start;
// without this script the button stays hidden and the panel's parts wrap onto rows.
"use strict";
document.documentElement.classList.add("has-menu-toggle");
document.addEventListener("DOMContentLoaded", function () {
  const button = document.querySelector(".menu-toggle");
  const panel = document.getElementById("header-panel");
  if (!button || !panel) return;
  button.hidden = false;
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panel.classList.toggle("is-open", open);
  }
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
});
