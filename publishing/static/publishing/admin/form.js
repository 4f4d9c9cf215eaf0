// The change forms of translated objects: one language switch for the whole form, and names for the controls that
// the admin's widgets leave unnamed (screen readers, axe-core).
//
// django-modeltranslation draws a row of language tabs above every translated field and a switch beside the
// heading that starts on the first language while the tabs start on another. Here the switch is the one control:
// it is labelled, starts on the language the tabs show (or the first with an error), its options mark the languages
// with errors, and the per-field tab rows are hidden (publishing/admin/translation.css) so that all fields of one
// language are shown together.

const UNNAMED = [
  ".select2-search__field",
  ".prose-editor [contenteditable=true]",
  ".tabular td input:not([type=hidden])",
  ".tabular td textarea",
  ".form-row input[id$=_0]",
  ".form-row input[id$=_1]",
].join(", ");

function fieldLabel(control) {
  const cell = control.closest("td");
  if (cell && cell.closest(".tabular")) {
    const table = cell.closest("table");
    const header = table && table.querySelectorAll("thead th")[cell.cellIndex];
    const row = control.closest("tr");
    const number = row ? [...row.parentElement.children].filter((r) => r.classList.contains("form-row")).indexOf(row) + 1 : 0;
    return header ? `${header.textContent.trim()} ${number > 0 ? number : ""}`.trim() : "";
  }
  const row = control.closest(".form-row, .fieldBox, .form-multiline > div");
  const label = row && row.querySelector("label");
  return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
}

function nameControls(root) {
  for (const control of root.querySelectorAll(UNNAMED)) {
    if (control.getAttribute("aria-label") || control.labels?.length) {
      continue;
    }
    const name = fieldLabel(control);
    if (name) {
      control.setAttribute("aria-label", name);
    }
  }
  // select2 draws the chosen items as a list with its search box and a clear button inside.
  for (const list of root.querySelectorAll("ul.select2-selection__rendered:not([role])")) {
    list.setAttribute("role", "list");
  }
}

function languageSwitch() {
  const select = document.getElementById("modeltranslation-main-switch");
  if (!select || select.labels.length || !window.django || !django.jQuery) {
    return;
  }
  const $ = django.jQuery;
  document.body.classList.add("one-language-switch");
  const heading = select.closest("h1, h2") || select.parentElement;
  const label = document.createElement("label");
  label.htmlFor = select.id;
  label.className = "language-switch__label";
  const text = document.querySelector("meta[name=language-switch-label]");
  label.textContent = text ? text.content : select.id;
  select.before(label);
  const groups = [...document.querySelectorAll(".ui-tabs")];
  const withErrors = new Set();
  for (const group of groups) {
    group.querySelectorAll(".ui-tabs-nav li").forEach((tab, index) => {
      if (tab.classList.contains("ui-tab-has-errors")) {
        withErrors.add(index);
      }
    });
  }
  for (const option of select.options) {
    if (withErrors.has(Number(option.value))) {
      option.textContent += " ⚠";
    }
  }
  const first = groups[0] && $(groups[0]).tabs("option", "active");
  const start = withErrors.size ? Math.min(...withErrors) : first;
  if (start !== undefined && start !== false) {
    select.value = String(start);
    $(select).trigger("change");
  }
  heading.classList.add("language-switch");
}

// modeltranslation builds its tabs and the switch when the document is ready: the switch is taken over once the
// task that added it is done (whichever comes first of that and the page's "load").
window.addEventListener("load", () => {
  languageSwitch();
  nameControls(document);
});
new MutationObserver((changes) => {
  for (const change of changes) {
    for (const node of change.addedNodes) {
      if (node.nodeType === Node.ELEMENT_NODE) {
        nameControls(node.parentElement || node);
        if (node.id === "modeltranslation-main-switch") {
          setTimeout(languageSwitch, 0);
        }
      }
    }
  }
}).observe(document.documentElement, { childList: true, subtree: true });
