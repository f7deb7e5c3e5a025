// The program page: never lose an edit, and show the first error.
// - Leaving the page with unsaved edits asks first (the action buttons save before they act).
// - After a refused save, the first invalid field is opened (blocks collapse) and scrolled to.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("program_form");
  if (!form) return;
  let edited = false;
  form.addEventListener("input", () => { edited = true; });
  form.addEventListener("change", () => { edited = true; });
  form.addEventListener("submit", () => { edited = false; });
  window.addEventListener("beforeunload", (event) => {
    if (edited) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  const error = form.querySelector(".errorlist");
  if (error) {
    for (let node = error; node; node = node.parentElement) {
      if (node.classList && node.classList.contains("collapsed")) node.classList.remove("collapsed");
    }
    error.scrollIntoView({ block: "center" });
  }
});
