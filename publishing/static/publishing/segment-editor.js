// The translation screen (publishing/workflow/segment_admin.py), made quicker with JavaScript.
//
// Without this file the page is a plain form. With it, each target box becomes an inline editor (footnote markers
// as locked tokens) with a formatting toolbar (bold, italic, superscript, link; Ctrl+B, Ctrl+I, Ctrl+K), each
// segment saves on its own (Ctrl+Enter, or its Save button) without reloading the page, unsaved text is kept in
// localStorage until the server has it, memory matches are copied in with one click, and Alt+N goes to the next
// untranslated segment. The server checks and sanitises whatever comes (segments.segment_errors).

const page = document.querySelector(".segment-editor");
const MARKER = /\[(\d{1,4}|[ivxlcdm]{1,8})\]/g;
const INLINE = new Set(["STRONG", "B", "EM", "I", "U", "S", "SUB", "SUP", "Q", "CITE", "ABBR", "A", "SPAN", "CODE", "BR"]);
// The browser's editing commands write <b> and <i>; the site's own markup is <strong> and <em>.
const STORED_TAG = { B: "strong", I: "em" };
const SHORTCUTS = { b: "bold", i: "italic", k: "link" };
// With a keyboard layout that types no Latin letters (Russian), the key in the same place as on a Latin one.
const SHORTCUT_KEYS = { KeyB: "bold", KeyI: "italic", KeyK: "link" };

function shortcutOf(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) {
    return null;
  }
  const key = event.key.toLowerCase();
  return /^[a-z]$/.test(key) ? SHORTCUTS[key] || null : SHORTCUT_KEYS[event.code] || null;
}

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
        const tag = STORED_TAG[child.tagName] || child.tagName.toLowerCase();
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

function selectionIn(editor) {
  const selection = document.getSelection();
  return selection.rangeCount > 0 && editor.contains(selection.anchorNode) ? selection : null;
}

function linkAround(editor) {
  const selection = selectionIn(editor);
  const node = selection && selection.anchorNode;
  const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
  const link = element && element.closest("a");
  return link && editor.contains(link) ? link : null;
}

// Apply one toolbar command to the editor's selection (a link asks for its address; an empty one removes it).
function format(editor, command, toolbar) {
  editor.focus();
  if (command !== "link") {
    document.execCommand(command, false, null);
    return;
  }
  const button = toolbar.querySelector("[data-command=link]");
  const current = linkAround(editor);
  const address = window.prompt(button.dataset.prompt, current ? current.getAttribute("href") : "https://");
  if (address === null) {
    return;
  }
  if (current && !address.trim()) {
    const range = document.createRange();
    range.selectNodeContents(current);
    document.getSelection().removeAllRanges();
    document.getSelection().addRange(range);
    document.execCommand("unlink", false, null);
  } else if (/^(https?:\/\/|mailto:)\S+$/i.test(address.trim())) {
    if (document.getSelection().isCollapsed && !current) {
      document.execCommand("insertText", false, address.trim());
      const range = document.getSelection().getRangeAt(0);
      range.setStart(range.endContainer, range.endOffset - address.trim().length);
      document.getSelection().removeAllRanges();
      document.getSelection().addRange(range);
    }
    document.execCommand("createLink", false, address.trim());
  }
}

function showPressed(editor, toolbar) {
  if (!toolbar || !selectionIn(editor)) {
    return;
  }
  for (const button of toolbar.querySelectorAll("[data-command]")) {
    const command = button.dataset.command;
    const pressed = command === "link" ? Boolean(linkAround(editor)) : document.queryCommandState(command);
    button.setAttribute("aria-pressed", String(pressed));
  }
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
  editor.id = `${textarea.id}-editor`;
  textarea.hidden = true;
  textarea.after(editor);
  const changed = () => {
    textarea.value = serialise(editor, kind);
    localStorage.setItem(storageKey(segment), textarea.value);
    setStatus(segment, page.dataset.unsavedMessage);
  };
  editor.addEventListener("input", changed);
  const toolbar = segment.querySelector(".segment-toolbar");
  if (toolbar) {
    toolbar.setAttribute("aria-controls", editor.id);
    toolbar.hidden = false;
    for (const button of toolbar.querySelectorAll("[data-command]")) {
      // The selection stays in the editor while the button is pressed.
      button.addEventListener("mousedown", (event) => event.preventDefault());
      button.addEventListener("click", () => {
        format(editor, button.dataset.command, toolbar);
        changed();
        showPressed(editor, toolbar);
      });
    }
    document.addEventListener("selectionchange", () => showPressed(editor, toolbar));
  }
  editor.addEventListener("keydown", async (event) => {
    const shortcut = shortcutOf(event);
    if (shortcut) {
      // Plain segments (titles) take no markup: the browser's own bold/italic is kept out of them too.
      event.preventDefault();
      if (toolbar) {
        format(editor, shortcut, toolbar);
        changed();
        showPressed(editor, toolbar);
      }
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
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
  document.execCommand("styleWithCSS", false, false);
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
