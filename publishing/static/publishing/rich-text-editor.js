// The admin's rich-text editor (django-prose-editor) without an inline import map.
//
// The package's own presets import "django-prose-editor/editor", a bare name that only an inline
// <script type="importmap"> can resolve, and the site's Content-Security-Policy allows no inline script.
// This module imports the editor by its static path instead and builds each editor from the extensions
// listed in the textarea's data attribute (articles/widgets.py), the same configuration the package's
// "configurable" preset reads. Textareas added later (admin inlines) get an editor too.
import * as editor from "../django_prose_editor/editor.js";

const CONFIG_ATTRIBUTE = "data-django-prose-editor-configurable";

function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) {
    return null;
  }
  const config = JSON.parse(textarea.getAttribute(CONFIG_ATTRIBUTE) || "{}");
  const extensions = Object.entries(config.extensions || {})
    .filter(([name]) => editor[name])
    .map(([name, options]) => (typeof options === "object" ? editor[name].configure(options) : editor[name]));
  const instance = editor.createTextareaEditor(textarea, extensions);
  textarea.dispatchEvent(
    new CustomEvent("prose-editor:ready", { detail: { editor: instance, textarea }, bubbles: true }),
  );
  return instance;
}

editor.initializeEditors(createEditor, `[${CONFIG_ATTRIBUTE}]`);
