// The program page: blocks fold, no edit is lost, and the first error is shown.
// - Each saved block folds to its heading; a click on the heading opens or folds it.
// - Leaving the page with unsaved edits asks first (the action buttons save before they act).
// - After a refused save, the first invalid field is opened and scrolled to.
// - The week-by-week plan follows the unsaved edits (a preview request; nothing is saved).
// - An item offers only the sides its exercise can be done on, and its rules only the
//   parameters the exercise can progress (asked of the server when the exercise changes).
"use strict";
const BLOCK = '.djn-inline-form[data-inline-model="programs-block"]';
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("program_form");
  if (!form) return;
  for (const block of form.querySelectorAll(`${BLOCK}[data-is-initial="true"]`)) {
    if (!block.querySelector(".errorlist")) block.classList.add("collapsed");
  }
  form.addEventListener("click", (event) => {
    const heading = event.target.closest(`${BLOCK} > h3`);
    if (heading && !event.target.closest("a, input, button, label")) {
      heading.parentElement.classList.toggle("collapsed");
    }
  });
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
  limitToExercises(form);
  followEdits(form);
  const error = form.querySelector(".errorlist");
  if (error) {
    for (let node = error; node; node = node.parentElement) {
      if (node.classList && node.classList.contains("collapsed")) node.classList.remove("collapsed");
    }
    error.scrollIntoView({ block: "center" });
  }
});

const ITEM = '[data-inline-model="programs-item"]';

function limitToExercises(form) {
  const config = document.getElementById("builder-config");
  if (!config) return;
  const url = (id) => config.dataset.exerciseOptions.replace("/0/", `/${id}/`);
  const apply = async (select) => {
    const item = select.closest(ITEM);
    if (!item || !select.value || select.dataset.checked === select.value) return;
    select.dataset.checked = select.value;  // each exercise is asked about once per row
    const response = await fetch(url(select.value), { credentials: "same-origin" });
    if (!response.ok) return;
    const options = await response.json();
    item.dataset.parameters = JSON.stringify(options.parameters);
    const side = item.querySelector('select[name$="-side"]');
    if (side && side.closest(ITEM) === item) {
      for (const option of side.options) {
        option.hidden = option.value !== "" && !options.sides.includes(option.value);
      }
      if (!options.sides.includes(side.value)) side.value = options.default_side;
    }
    for (const parameter of item.querySelectorAll('select[name$="-parameter"]')) {
      limitParameters(parameter);
    }
  };
  // The exercise picker is Django's select2 autocomplete: it announces changes through jQuery.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(form).on("change", 'select[name$="-exercise"]', (event) => apply(event.target));
  }
  form.addEventListener("focusin", (event) => {
    if (event.target.matches('select[name$="-parameter"]')) limitParameters(event.target);
  });
  for (const select of form.querySelectorAll(`${ITEM} select[name$="-exercise"]`)) apply(select);
}

function limitParameters(select) {
  const item = select.closest(ITEM);
  const allowed = item && item.dataset.parameters ? JSON.parse(item.dataset.parameters) : null;
  if (!allowed) return;
  for (const option of select.options) {
    option.hidden = option.value !== "" && !allowed.includes(option.value);
  }
}

function followEdits(form) {
  const config = document.getElementById("builder-config");
  const url = config && config.dataset.preview;
  if (!url) return;
  // Only real edits ask: Django's and nested_admin's scripts also fire "change" on load and on
  // submit, and a preview racing the save would only cost the server.
  const state = () => new URLSearchParams(new FormData(form)).toString();
  let shown = state();
  let submitting = false;
  let timer = null;
  let asked = 0;
  form.addEventListener("submit", () => { submitting = true; clearTimeout(timer); });
  const refresh = async () => {
    const data = state();
    if (submitting || data === shown) return;
    shown = data;
    const mine = ++asked;
    const response = await fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" });
    const current = document.getElementById("schedule-preview");
    if (submitting || !response.ok || mine !== asked || !current) return;  // a newer edit asked
    current.outerHTML = await response.text();
  };
  const soon = () => {
    clearTimeout(timer);
    if (!submitting) timer = setTimeout(refresh, 400);
  };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  if (window.django && window.django.jQuery) window.django.jQuery(form).on("change", soon);
}
