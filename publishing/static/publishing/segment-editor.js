// The translation screen (publishing/workflow/segment_admin.py), made quicker with JavaScript.
//
// Without this file the page is a plain form. With it, each target box becomes an inline editor (bold, italic,
// footnote markers as locked tokens), each segment saves on its own (Ctrl+Enter, or its Save button) without
// reloading the page, unsaved text is kept in localStorage until the server has it, memory matches are copied in
// with one click, and Alt+N goes to the next untranslated segment.

const page = document.querySelector(".segment-editor");
const MARKER = /\[(\d{1,4}|[ivxlcdm]{1,8})\]/g;
const INLINE = new Set(["STRONG", "B", "EM", "I", "U", "S", "SUB", "SUP", "Q", "CITE", "ABBR", "A", "SPAN", "CODE", "BR"]);

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// Stored text -> editor HTML: markers become locked tokens.
function toEditor(value, kind) {
  const html = kind === "plain" ? escapeHtml(value) : value;
  return html.replace(MARKER, (whole, marker) => `<span class="segment-marker" contenteditable="false" data-marker="${marker}">[${marker}]</span>`);
}

// Editor DOM -> stored text: tokens back to "[n]", only inline tags kept (plain segments keep none).
function serialise(node, kind) {
  let out = "";
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      out += kind === "plain" ? child.textContent : escapeHtml(child.textContent);
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      if (child.dataset && child.dataset.marker) {
        out += `[${child.dataset.marker}]`;
      } else if (kind !== "plain" && INLINE.has(child.tagName) && child.tagName !== "SPAN") {
        const tag = child.tagName.toLowerCase();
        if (tag === "br") {
          out += "<br>";
        } else {
          const href = tag === "a" && child.getAttribute("href") ? ` href="${escapeHtml(child.getAttribute("href")).replace(/"/g, "&quot;")}"` : "";
          out += `<${tag}${href}>${serialise(child, kind)}</${tag}>`;
        }
      } else {
        out += serialise(child, kind);
      }
    }
  }
  return out;
}

function storageKey(segment) {
  return `segment-editor:${page.dataset.storageKey}:${segment.dataset.segment}`;
}

function setStatus(segment, text, isError) {
  const status = segment.querySelector(".segment__status");
  status.textContent = text;
  status.classList.toggle("segment__status--error", Boolean(isError));
}

function setState(segment, state, label) {
  segment.dataset.state = state;
  segment.className = segment.className.replace(/segment--\w+/g, "").trim() + ` segment--${state}`;
  const badge = segment.querySelector("[data-state-label]");
  badge.className = `segment-state segment-state--${state}`;
  badge.textContent = label;
}

function nextUntranslated(from) {
  const all = [...page.querySelectorAll(".segment")];
  const start = from ? all.indexOf(from) + 1 : 0;
  const ordered = [...all.slice(start), ...all.slice(0, start)];
  return ordered.find((segment) => segment.dataset.state !== "translated");
}

function focusSegment(segment) {
  if (!segment) {
    return;
  }
  segment.scrollIntoView({ block: "center" });
  const editor = segment.querySelector(".segment-input") || segment.querySelector("textarea");
  editor.focus();
}

function updateProgress(progress) {
  const bar = page.querySelector("#segment-progress");
  bar.max = progress.total;
  bar.value = progress.done;
  page.querySelector("[data-progress-percent]").textContent = `${progress.percent} %`;
  const label = page.querySelector("label[for=segment-progress]");
  label.textContent = label.textContent.replace(/\d+/, String(progress.done));
  const outdated = page.querySelector("[data-outdated-count]");
  outdated.textContent = progress.outdated_label;
  outdated.hidden = !progress.outdated;
}

async function save(segment) {
  const textarea = segment.querySelector("textarea");
  const form = textarea.form;
  const body = new FormData();
  body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
  body.append(textarea.name, textarea.value);
  const token = form.querySelector(`[name="token:${segment.dataset.segment}"]`);
  body.append(token.name, token.value);
  setStatus(segment, segment.dataset.savingLabel || "…");
  let response;
  try {
    response = await fetch(window.location.href, { method: "POST", body, headers: { Accept: "application/json" } });
  } catch (error) {
    setStatus(segment, page.dataset.offlineMessage, true);
    return false;
  }
  const result = await response.json().catch(() => null);
  if (!result || !result.ok) {
    const errors = (result && result.errors && result.errors[segment.dataset.segment]) || [String(response.status)];
    setStatus(segment, errors.join(": "), true);
    segment.classList.add("segment--error");
    return false;
  }
  segment.classList.remove("segment--error");
  const saved = result.segments[segment.dataset.segment];
  if (saved) {
    token.value = saved.token;
    setState(segment, saved.state, saved.label);
  }
  localStorage.removeItem(storageKey(segment));
  setStatus(segment, page.dataset.savedMessage);
  updateProgress(result.progress);
  return true;
}

function enhance(segment) {
  const textarea = segment.querySelector("textarea");
  if (textarea.readOnly) {
    return;
  }
  const kind = segment.dataset.kind;
  const editor = document.createElement("div");
  editor.className = "segment-input";
  editor.contentEditable = "true";
  editor.setAttribute("role", "textbox");
  editor.setAttribute("aria-multiline", kind === "block" ? "true" : "false");
  editor.setAttribute("aria-labelledby", `${segment.id}-label`);
  editor.setAttribute("aria-describedby", "segment-help");
  editor.lang = textarea.lang;
  const stored = localStorage.getItem(storageKey(segment));
  if (stored !== null && stored !== textarea.value) {
    textarea.value = stored;
    setStatus(segment, page.dataset.restoredMessage);
  }
  editor.innerHTML = toEditor(textarea.value, kind);
  textarea.hidden = true;
  textarea.after(editor);
  editor.addEventListener("input", () => {
    textarea.value = serialise(editor, kind);
    localStorage.setItem(storageKey(segment), textarea.value);
    setStatus(segment, page.dataset.unsavedMessage);
  });
  editor.addEventListener("keydown", async (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (await save(segment)) {
        focusSegment(nextUntranslated(segment));
      }
    } else if (event.key === "Enter" && kind !== "block") {
      event.preventDefault();
    }
  });
  editor.addEventListener("paste", (event) => {
    event.preventDefault();
    document.execCommand("insertText", false, event.clipboardData.getData("text/plain"));
  });
  segment.querySelector(".segment__save").addEventListener("click", (event) => {
    event.preventDefault();
    save(segment);
  });
  for (const button of segment.querySelectorAll("[data-use-match]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      textarea.value = button.dataset.useMatch;
      editor.innerHTML = toEditor(textarea.value, kind);
      localStorage.setItem(storageKey(segment), textarea.value);
      setStatus(segment, page.dataset.unsavedMessage);
      editor.focus();
    });
  }
}

if (page) {
  for (const segment of page.querySelectorAll(".segment[data-segment]")) {
    enhance(segment);
  }
  const next = page.querySelector("[data-next-untranslated]");
  next.hidden = false;
  next.addEventListener("click", (event) => {
    event.preventDefault();
    focusSegment(nextUntranslated(document.activeElement.closest(".segment")));
  });
  document.addEventListener("keydown", (event) => {
    if (event.altKey && (event.key === "n" || event.key === "N" || event.code === "KeyN")) {
      event.preventDefault();
      focusSegment(nextUntranslated(document.activeElement.closest && document.activeElement.closest(".segment")));
    }
  });
}
