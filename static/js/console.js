/*
 * console.js — progressive enhancement for the Usage Engine Console.
 *
 * Every page works without this file. It only adds conveniences, and it is
 * safe under the strict Content-Security-Policy: no eval, no inline styles
 * (it toggles classes and the `hidden` attribute), no HTML strings built from
 * server data (text goes in through textContent).
 *
 * All handlers are delegated from `document`, so content that htmx swaps in
 * later is enhanced without any re-initialisation.
 *
 *   1. Copy to clipboard ........ <button data-copy-target="#id">
 *   2. "/" focuses search ....... <input data-search>, optional data-filter="#list"
 *   3. Ctrl/Cmd+Enter sends ..... <form data-send-form>
 *   4. JSON editor .............. <textarea data-json-editor>, <button data-format-json="#id">
 *   5. htmx error messages ...... [data-htmx-error] regions
 *  5b. Sidebar groups ........... details.op-group[hx-get]: aria-busy while loading, focus kept
 *   6. Confirmations ............ data-confirm="Really delete?" on a form, submit button or link
 *   7. Menus, alerts ............ <details class="menu"> closes on outside click / Escape;
 *                                 flash messages get a dismiss button
 *
 * Loaded synchronously in <head> (it is tiny) so the `js` class lands on <html>
 * before first paint and JS-only controls do not flash in.
 */
(function () {
  "use strict";

  var doc = document;
  doc.documentElement.classList.add("js");

  var INDENT = "  ";

  /* ------------------------------------------------------------------ *
   * Helpers
   * ------------------------------------------------------------------ */

  function onReady(fn) {
    if (doc.readyState === "loading") {
      doc.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  /** True when the user is typing somewhere a shortcut must not steal keys. */
  function isEditable(el) {
    if (!el || el === doc.body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag === "INPUT") {
      var type = (el.getAttribute("type") || "text").toLowerCase();
      return ["checkbox", "radio", "button", "submit", "reset", "image", "file", "range", "color"]
        .indexOf(type) === -1;
    }
    return false;
  }

  function isVisible(el) {
    return !!(el && el.getClientRects().length);
  }

  /** Resolve a selector or a bare id ("body" or "#body"). */
  function resolve(ref) {
    if (!ref) return null;
    try {
      return doc.querySelector(ref) || doc.getElementById(ref.replace(/^#/, ""));
    } catch (e) {
      return doc.getElementById(ref.replace(/^#/, ""));
    }
  }

  var announcer = null;
  /** Say something to screen-reader users without moving focus. */
  function announce(message) {
    if (!announcer) {
      announcer = doc.createElement("div");
      announcer.className = "visually-hidden";
      announcer.setAttribute("aria-live", "polite");
      announcer.setAttribute("aria-atomic", "true");
      doc.body.appendChild(announcer);
    }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 50);
  }

  /** Insert text at the caret, keeping the browser's undo history when possible. */
  function insertText(textarea, text) {
    textarea.focus();
    var done = false;
    try {
      done = doc.execCommand && doc.execCommand("insertText", false, text);
    } catch (e) {
      done = false;
    }
    if (!done) {
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  function makeAlert(kind, title, text) {
    var alert = doc.createElement("div");
    alert.className = "alert alert-" + kind;
    alert.setAttribute("role", "alert");
    var body = doc.createElement("div");
    body.className = "alert-body";
    if (title) {
      var t = doc.createElement("p");
      t.className = "alert-title";
      t.textContent = title;
      body.appendChild(t);
    }
    var p = doc.createElement("p");
    p.textContent = text;
    body.appendChild(p);
    alert.appendChild(body);
    alert.appendChild(makeCloseButton());
    return alert;
  }

  function makeCloseButton() {
    var button = doc.createElement("button");
    button.type = "button";
    button.className = "alert-close";
    button.setAttribute("aria-label", "Dismiss");
    button.setAttribute("data-dismiss", "");
    button.textContent = "\u00d7";
    return button;
  }

  /* ------------------------------------------------------------------ *
   * 1. Copy to clipboard
   *    <button type="button" class="btn btn-sm" data-copy-target="#response-body">Copy</button>
   *    Copies an input's value, or an element's text. While "Copied" shows,
   *    the button carries [data-copied]. A child .copy-label, if present,
   *    is the part of the label that changes.
   * ------------------------------------------------------------------ */

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolveCopy, reject) {
      var scratch = doc.createElement("textarea");
      scratch.value = text;
      scratch.setAttribute("readonly", "");
      scratch.className = "visually-hidden";
      doc.body.appendChild(scratch);
      scratch.select();
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
      doc.body.removeChild(scratch);
      if (ok) { resolveCopy(); } else { reject(new Error("copy failed")); }
    });
  }

  function flashLabel(button, label) {
    var target = button.querySelector(".copy-label") ||
      (button.children.length === 0 ? button : null);
    if (!target) return;
    if (!button.hasAttribute("data-copy-original")) {
      button.setAttribute("data-copy-original", target.textContent);
    }
    target.textContent = label;
    window.clearTimeout(button._copyTimer);
    button._copyTimer = window.setTimeout(function () {
      target.textContent = button.getAttribute("data-copy-original");
      button.removeAttribute("data-copy-original");
      button.removeAttribute("data-copied");
    }, 1600);
  }

  doc.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    event.preventDefault();
    var source = resolve(button.getAttribute("data-copy-target"));
    if (!source) return;
    var text = ("value" in source && source.tagName !== "BUTTON") ? source.value : source.textContent;
    copyText(text).then(function () {
      button.setAttribute("data-copied", "");
      flashLabel(button, "Copied");
      announce("Copied to clipboard");
    }, function () {
      flashLabel(button, "Copy failed");
      announce("Could not copy. Select the text and copy it by hand.");
    });
  });

  /* ------------------------------------------------------------------ *
   * 2. Search: "/" focuses the first visible [data-search]; Escape clears it.
   *    Optional client-side filtering: data-filter="#operation-list" hides
   *    [data-filter-item] elements (using data-filter-text, else their text)
   *    that do not contain every typed word, hides [data-filter-group]s left
   *    empty (and opens the others while filtering), and shows the
   *    [data-filter-empty] element when nothing matches. Enter opens the
   *    first match; ArrowDown moves into the list.
   * ------------------------------------------------------------------ */

  doc.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isEditable(event.target)) return;
    var boxes = doc.querySelectorAll("[data-search]");
    for (var i = 0; i < boxes.length; i++) {
      if (isVisible(boxes[i]) && !boxes[i].disabled) {
        event.preventDefault();
        boxes[i].focus();
        if (boxes[i].select) boxes[i].select();
        return;
      }
    }
  });

  function filterRoot(input) {
    return resolve(input.getAttribute("data-filter"));
  }

  function visibleMatches(root) {
    return Array.prototype.filter.call(
      root.querySelectorAll("[data-filter-item]"),
      function (item) { return !item.classList.contains("is-filtered-out"); }
    );
  }

  function applyFilter(input) {
    var root = filterRoot(input);
    if (!root) return;
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    root.querySelectorAll("[data-filter-item]").forEach(function (item) {
      var hay = (item.getAttribute("data-filter-text") || item.textContent).toLowerCase();
      var match = words.every(function (w) { return hay.indexOf(w) !== -1; });
      item.classList.toggle("is-filtered-out", !match);
      if (match) shown++;
    });
    root.querySelectorAll("[data-filter-group]").forEach(function (group) {
      var any = group.querySelector("[data-filter-item]:not(.is-filtered-out)");
      group.classList.toggle("is-filtered-out", !any);
      if (group.tagName === "DETAILS") {
        if (words.length) {
          if (!group.hasAttribute("data-filter-was")) {
            group.setAttribute("data-filter-was", group.open ? "open" : "closed");
          }
          group.open = true;
        } else if (group.hasAttribute("data-filter-was")) {
          group.open = group.getAttribute("data-filter-was") === "open";
          group.removeAttribute("data-filter-was");
        }
      }
    });
    var empty = root.querySelector("[data-filter-empty]");
    if (empty) empty.hidden = shown !== 0;
  }

  doc.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-search][data-filter]")) applyFilter(input);
  });

  doc.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-search]")) return;

    if (event.key === "Escape") {
      if (input.value) {
        input.value = "";
        input.dispatchEvent(new Event("input", { bubbles: true }));
      } else {
        input.blur();
      }
      event.preventDefault();
      return;
    }

    if (!input.hasAttribute("data-filter")) return;
    var root = filterRoot(input);
    if (!root) return;
    if (event.key === "Enter" && input.value.trim()) {
      var first = visibleMatches(root)[0];
      var link = first && (first.matches("a[href]") ? first : first.querySelector("a[href]"));
      if (link) {
        event.preventDefault();
        link.click();
      }
    } else if (event.key === "ArrowDown") {
      var firstItem = visibleMatches(root)[0];
      var focusable = firstItem && (firstItem.matches("a[href]") ? firstItem : firstItem.querySelector("a[href]"));
      if (focusable) {
        event.preventDefault();
        focusable.focus();
      }
    }
  });

  /* ------------------------------------------------------------------ *
   * 2b. Search results by keyboard: for input[data-search-results="#list"]
   *    (a search whose results the server sends, e.g. the explorer's
   *    sidebar), roving focus through the list's visible links.
   *    ArrowDown from the box focuses the first result; ArrowDown/ArrowUp
   *    move between results (ArrowUp from the first goes back to the box),
   *    Home/End jump, Escape returns to the box; Enter opens the focused
   *    result (a link), and Enter in the box opens the first result once
   *    the list shows the typed text's results.
   * ------------------------------------------------------------------ */

  function resultLinks(box) {
    var root = resolve(box.getAttribute("data-search-results"));
    if (!root) return [];
    return Array.prototype.filter.call(root.querySelectorAll("a[href]"), isVisible);
  }

  function resultsBoxFor(el) {
    var boxes = doc.querySelectorAll("[data-search-results]");
    for (var i = 0; i < boxes.length; i++) {
      var root = resolve(boxes[i].getAttribute("data-search-results"));
      if (root && root.contains(el)) return boxes[i];
    }
    return null;
  }

  // Typing makes the list stale until the server's answer is swapped in.
  doc.addEventListener("input", function (event) {
    var box = event.target;
    if (box.matches && box.matches("[data-search-results]")) box.setAttribute("data-results-stale", "");
  });
  // Fired on the box once its request's answer is swapped in.
  doc.addEventListener("htmx:afterOnLoad", function (event) {
    var box = event.target;
    if (box.matches && box.matches("[data-search-results]")) box.removeAttribute("data-results-stale");
  });

  doc.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var el = event.target;
    if (!el.matches) return;
    var box = el.matches("[data-search-results]") ? el : null;
    var links;
    if (box) {
      links = resultLinks(box);
      if (event.key === "ArrowDown" && links.length) {
        event.preventDefault();
        links[0].focus();
      } else if (event.key === "Enter" && box.value.trim() && links.length &&
                 !box.hasAttribute("data-results-stale")) {
        event.preventDefault();
        links[0].click();
      }
      return;
    }
    if (!el.matches("a[href]")) return;
    box = resultsBoxFor(el);
    if (!box) return;
    links = resultLinks(box);
    var at = links.indexOf(el);
    if (at === -1) return;
    var next = null;
    if (event.key === "ArrowDown") next = links[Math.min(at + 1, links.length - 1)];
    else if (event.key === "ArrowUp") next = at === 0 ? box : links[at - 1];
    else if (event.key === "Home") next = links[0];
    else if (event.key === "End") next = links[links.length - 1];
    else if (event.key === "Escape") next = box;
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });

  /* ------------------------------------------------------------------ *
   * 3. Ctrl+Enter (Cmd+Enter on macOS) submits form[data-send-form]:
   *    the form the focus is in, or else the only such form on the page.
   *    The submit button marked [data-send-button] (else the first one)
   *    is used, so its name/value is sent and htmx sees a normal submit.
   * ------------------------------------------------------------------ */

  doc.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey) return;
    var form = event.target.closest && event.target.closest("form[data-send-form]");
    if (!form) {
      var forms = doc.querySelectorAll("form[data-send-form]");
      if (forms.length !== 1) return;
      form = forms[0];
    }
    event.preventDefault();
    if (form.classList.contains("htmx-request")) return; // already sending
    var submitter = form.querySelector("[data-send-button]") ||
      form.querySelector("button[type=submit], button:not([type]), input[type=submit]");
    if (submitter && submitter.disabled) return;
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    } else if (submitter) {
      submitter.click();
    }
  });

  /* ------------------------------------------------------------------ *
   * 4. JSON editor — textarea[data-json-editor]
   *    Tab / Shift+Tab indent and outdent (the line, or every selected line);
   *    Enter keeps the indentation (one level more after { or [).
   *    Escape, then Tab, leaves the editor — keyboard users are never trapped.
   *    Invalid JSON is reported under the textarea on blur and on Format; the
   *    message clears as soon as the text parses again. Empty is valid.
   *    Format button: [data-format-json="#textarea-id"], or with no value the
   *    textarea in the same .json-editor / .field container. Formatting keeps
   *    number literals exactly as typed (no precision loss on big ids).
   * ------------------------------------------------------------------ */

  var escapeArmed = null;

  function lineStartOf(value, index) {
    return value.lastIndexOf("\n", index - 1) + 1;
  }

  function indentLines(textarea, outdent) {
    var value = textarea.value;
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var multiline = value.slice(start, end).indexOf("\n") !== -1;

    if (!multiline && !outdent) {
      insertText(textarea, INDENT);
      return;
    }
    // Work on whole lines; a selection ending at a line start excludes that line.
    var blockStart = lineStartOf(value, start);
    var blockEnd = (end > start && value[end - 1] === "\n") ? end - 1 : end;
    var nextBreak = value.indexOf("\n", blockEnd);
    blockEnd = nextBreak === -1 ? value.length : nextBreak;
    var lines = value.slice(blockStart, blockEnd).split("\n");
    var firstDelta = 0;
    var changed = lines.map(function (line, i) {
      if (outdent) {
        var remove = line.match(/^ {1,2}|^\t/);
        var n = remove ? remove[0].length : 0;
        if (i === 0) firstDelta = -n;
        return line.slice(n);
      }
      if (i === 0) firstDelta = INDENT.length;
      return line.length ? INDENT + line : line;
    }).join("\n");
    if (changed === value.slice(blockStart, blockEnd)) return;
    textarea.setSelectionRange(blockStart, blockEnd);
    insertText(textarea, changed);
    if (multiline) {
      textarea.setSelectionRange(blockStart, blockStart + changed.length);
    } else {
      var caret = Math.max(blockStart, start + firstDelta);
      textarea.setSelectionRange(caret, caret);
    }
  }

  function newlineWithIndent(textarea) {
    var value = textarea.value;
    var start = textarea.selectionStart;
    var lineStart = lineStartOf(value, start);
    var indent = value.slice(lineStart, start).match(/^[ \t]*/)[0];
    var before = value.slice(lineStart, start).replace(/\s+$/, "");
    var after = value.slice(textarea.selectionEnd);
    var opener = /[{[]$/.test(before);
    if (opener && /^\s*[}\]]/.test(after)) {
      // Between a pair: put the closer on its own line.
      insertText(textarea, "\n" + indent + INDENT + "\n" + indent);
      var caret = start + 1 + indent.length + INDENT.length;
      textarea.setSelectionRange(caret, caret);
      return;
    }
    insertText(textarea, "\n" + indent + (opener ? INDENT : ""));
  }

  doc.addEventListener("keydown", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea[data-json-editor]")) return;
    if (textarea.readOnly || textarea.disabled) return;

    if (event.key === "Escape") {
      escapeArmed = textarea;
      return;
    }
    if (event.key === "Tab" && !event.ctrlKey && !event.metaKey && !event.altKey) {
      if (escapeArmed === textarea) {
        escapeArmed = null;
        return; // let focus move on
      }
      event.preventDefault();
      indentLines(textarea, event.shiftKey);
      return;
    }
    escapeArmed = null;
    if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && !event.altKey && !event.shiftKey &&
        !event.isComposing) {
      event.preventDefault();
      newlineWithIndent(textarea);
    }
  });

  /** Pretty-print JSON text that is known to be valid, keeping literals verbatim. */
  function reindentJson(text) {
    var out = "";
    var depth = 0;
    var i = 0;
    var n = text.length;
    function newline() { out += "\n" + new Array(depth + 1).join(INDENT); }
    while (i < n) {
      var ch = text[i];
      if (ch === '"') {
        var j = i + 1;
        while (j < n && text[j] !== '"') { j += text[j] === "\\" ? 2 : 1; }
        out += text.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      if (ch === " " || ch === "\n" || ch === "\r" || ch === "\t") { i++; continue; }
      if (ch === "{" || ch === "[") {
        // Empty container stays on one line: {} and []
        var k = i + 1;
        while (k < n && /\s/.test(text[k])) k++;
        if (text[k] === (ch === "{" ? "}" : "]")) {
          out += ch + text[k];
          i = k + 1;
          continue;
        }
        out += ch;
        depth++;
        newline();
      } else if (ch === "}" || ch === "]") {
        depth--;
        newline();
        out += ch;
      } else if (ch === ",") {
        out += ",";
        newline();
      } else if (ch === ":") {
        out += ": ";
      } else {
        out += ch;
      }
      i++;
    }
    return out;
  }

  /** Parse `text`; return null when valid, else {message, position}. */
  function jsonProblem(text) {
    if (!text.trim()) return null;
    try {
      JSON.parse(text);
      return null;
    } catch (err) {
      var raw = String(err && err.message || err);
      var position = null;
      var line = null;
      var column = null;
      var m = raw.match(/line (\d+) column (\d+)/i);
      if (m) {
        line = +m[1];
        column = +m[2];
      }
      var p = raw.match(/at position (\d+)/i);
      if (p) position = +p[1];
      if (position !== null && line === null) {
        var before = text.slice(0, position).split("\n");
        line = before.length;
        column = before[before.length - 1].length + 1;
      }
      if (position === null && line !== null) {
        var lines = text.split("\n");
        position = 0;
        for (var l = 0; l < line - 1 && l < lines.length; l++) position += lines[l].length + 1;
        position += column - 1;
      }
      var message = raw
        .replace(/^JSON\.parse:\s*/i, "")
        .replace(/\s*(in JSON\s*)?at position \d+.*$/i, "")
        .replace(/\s*at line \d+ column \d+ of the JSON data$/i, "")
        .replace(/\s*\(line \d+ column \d+\)$/i, "");
      message = message.charAt(0).toUpperCase() + message.slice(1);
      if (line !== null) message += " (line " + line + ", column " + column + ")";
      return { message: message, position: position };
    }
  }

  function editorContainer(textarea) {
    return textarea.closest(".json-editor, .field") || textarea.parentNode;
  }

  function errorElementFor(textarea, create) {
    var container = editorContainer(textarea);
    var el = container.querySelector("[data-json-error]");
    if (!el && create) {
      el = doc.createElement("p");
      el.className = "field-error json-error";
      el.setAttribute("data-json-error", "");
      el.setAttribute("role", "alert");
      el.hidden = true;
      textarea.insertAdjacentElement("afterend", el);
    }
    if (el && !el.id) {
      el.id = (textarea.id || "json-editor-" + Math.random().toString(36).slice(2)) + "-json-error";
    }
    return el;
  }

  function setDescribedBy(textarea, id, on) {
    var ids = (textarea.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    var at = ids.indexOf(id);
    if (on && at === -1) ids.push(id);
    if (!on && at !== -1) ids.splice(at, 1);
    if (ids.length) textarea.setAttribute("aria-describedby", ids.join(" "));
    else textarea.removeAttribute("aria-describedby");
  }

  function showJsonProblem(textarea, problem) {
    var el = errorElementFor(textarea, !!problem);
    if (!el) return;
    if (problem) {
      // The server's wording (specs/engine/jsontext.py): "<what> is not valid JSON: <why>."
      el.textContent = "The request body is not valid JSON: " + problem.message + ".";
      el.hidden = false;
      textarea.setAttribute("aria-invalid", "true");
      textarea.setAttribute("data-json-invalid", "");
      setDescribedBy(textarea, el.id, true);
    } else {
      el.textContent = "";
      el.hidden = true;
      if (textarea.hasAttribute("data-json-invalid")) {
        textarea.removeAttribute("aria-invalid");
        textarea.removeAttribute("data-json-invalid");
      }
      setDescribedBy(textarea, el.id, false);
    }
  }

  function validateEditor(textarea) {
    var problem = jsonProblem(textarea.value);
    showJsonProblem(textarea, problem);
    return problem;
  }

  doc.addEventListener("focusout", function (event) {
    var t = event.target;
    if (t.matches && t.matches("textarea[data-json-editor]")) validateEditor(t);
  });

  var revalidateTimer = null;
  doc.addEventListener("input", function (event) {
    var t = event.target;
    if (!t.matches || !t.matches("textarea[data-json-editor][data-json-invalid]")) return;
    window.clearTimeout(revalidateTimer);
    revalidateTimer = window.setTimeout(function () {
      if (!jsonProblem(t.value)) showJsonProblem(t, null);
    }, 250);
  });

  doc.addEventListener("click", function (event) {
    var button = event.target.closest("[data-format-json]");
    if (!button) return;
    event.preventDefault();
    var ref = button.getAttribute("data-format-json");
    var textarea = ref ? resolve(ref) : null;
    if (!textarea) {
      var box = button.closest(".json-editor, .field");
      textarea = box && box.querySelector("textarea[data-json-editor]");
    }
    if (!textarea) return;
    var problem = validateEditor(textarea);
    if (problem) {
      textarea.focus();
      if (problem.position !== null) {
        textarea.setSelectionRange(problem.position, Math.min(problem.position + 1, textarea.value.length));
      }
      return;
    }
    if (!textarea.value.trim()) return;
    var pretty = reindentJson(textarea.value);
    if (pretty === textarea.value) {
      announce("JSON is already formatted");
      return;
    }
    textarea.focus();
    textarea.setSelectionRange(0, textarea.value.length);
    insertText(textarea, pretty);
    textarea.setSelectionRange(0, 0);
    textarea.scrollTop = 0;
    announce("JSON formatted");
  });

  /* ------------------------------------------------------------------ *
   * 5. htmx errors
   *    When an htmx request fails (error status, network failure, timeout),
   *    a readable message appears in the nearest [data-htmx-error] region:
   *    the first one found walking up from the element that made the
   *    request, else the page-wide one (data-htmx-error="global") in
   *    base.html. A text/plain response body of up to 300 characters is
   *    shown as the message, so views can explain a failure in words.
   * ------------------------------------------------------------------ */

  var STATUS_TEXT = {
    400: "The request was not valid. Check the form and try again.",
    401: "Your session has ended. Reload the page and sign in again.",
    403: "You are not allowed to do that. Your role in this team may not permit it, " +
      "or your session changed in another tab — reload the page and try again.",
    404: "Not found. It may have been deleted, or the link is out of date.",
    405: "That action is not available here.",
    409: "Someone else changed this in the meantime. Reload the page and try again.",
    413: "That is too large to send.",
    422: "Some values were not accepted. Check the form and try again.",
    429: "Too many requests. Wait a moment and try again."
  };

  function regionFor(elt) {
    var node = elt && elt.nodeType === 1 ? elt : null;
    while (node && node !== doc.body && node !== doc.documentElement) {
      var found = node.matches("[data-htmx-error]:not([data-htmx-error=global])")
        ? node
        : node.querySelector("[data-htmx-error]:not([data-htmx-error=global])");
      if (found) return found;
      node = node.parentElement;
    }
    return doc.querySelector("[data-htmx-error=global]") || doc.querySelector("[data-htmx-error]");
  }

  function showHtmxError(elt, title, text) {
    var region = regionFor(elt);
    if (!region) {
      announce(title + ". " + text);
      return;
    }
    while (region.firstChild) region.removeChild(region.firstChild);
    region.appendChild(makeAlert("error", title, text));
    region.hidden = false;
  }

  function clearHtmxError(elt) {
    var region = regionFor(elt);
    if (!region) return;
    while (region.firstChild) region.removeChild(region.firstChild);
  }

  function responseMessage(xhr) {
    var type = (xhr.getResponseHeader && xhr.getResponseHeader("Content-Type")) || "";
    var body = typeof xhr.responseText === "string" ? xhr.responseText.trim() : "";
    if (/^text\/plain/i.test(type) && body && body.length <= 300) return body;
    if (STATUS_TEXT[xhr.status]) return STATUS_TEXT[xhr.status];
    if (xhr.status >= 500) {
      return "The console hit an error. Try again; if it keeps happening, tell your team's admin.";
    }
    return "The request did not succeed.";
  }

  doc.addEventListener("htmx:beforeRequest", function (event) {
    clearHtmxError(event.detail && event.detail.elt);
  });

  doc.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr.status + (xhr.statusText ? " " + xhr.statusText : "");
    showHtmxError(event.detail.elt, "Request failed (" + status + ")", responseMessage(xhr));
  });

  doc.addEventListener("htmx:sendError", function (event) {
    showHtmxError(event.detail.elt, "Could not reach the console",
      "Check your network connection, then try again.");
  });

  doc.addEventListener("htmx:timeout", function (event) {
    showHtmxError(event.detail.elt, "The request timed out",
      "The console did not answer in time. Try again in a moment.");
  });

  doc.addEventListener("htmx:swapError", function (event) {
    showHtmxError(event.detail.elt, "Could not show the result",
      "The answer arrived but could not be displayed. Reload the page.");
  });

  /* ------------------------------------------------------------------ *
   * 5b. A big spec's sidebar: a collapsed tag group (details.op-group with
   *     hx-get) loads its operations when opened. While it loads it is
   *     aria-busy; if the focus was on its "List its operations" link, which
   *     the list replaces, it moves to the first operation (not to <body>).
   * ------------------------------------------------------------------ */

  function loadingGroup(node) {
    return node && node.matches && node.matches("details.op-group[hx-get]") ? node : null;
  }

  doc.addEventListener("htmx:beforeRequest", function (event) {
    var group = loadingGroup(event.target);
    if (group) group.setAttribute("aria-busy", "true");
  });

  doc.addEventListener("htmx:afterRequest", function (event) {
    var group = loadingGroup(event.target);
    if (group) group.removeAttribute("aria-busy");
  });

  doc.addEventListener("htmx:beforeSwap", function (event) {
    // Fired on the swap's target: the group's placeholder, which the list replaces.
    var more = event.target;
    if (!more.matches || !more.matches(".op-group-more")) return;
    var group = loadingGroup(more.closest("details.op-group"));
    if (group && more.contains(doc.activeElement)) group.setAttribute("data-refocus", "");
  });

  doc.addEventListener("htmx:afterSettle", function (event) {
    // Fired on the list that came in, inside its group.
    var group = event.target.closest && event.target.closest("details.op-group[data-refocus]");
    if (!group) return;
    group.removeAttribute("data-refocus");
    var first = group.querySelector(".op-link") || group.querySelector("summary");
    if (first) first.focus();
  });

  /* ------------------------------------------------------------------ *
   * 6. Confirmations for ordinary forms, buttons and links
   *    <form method="post" data-confirm="Delete this spec?"> …
   *    <button type="submit" data-confirm="Remove Ana from the team?">Remove</button>
   *    <a href="…" data-confirm="Leave without saving?">Leave</a>
   *    (htmx elements can use hx-confirm instead; do not put both on one element.)
   * ------------------------------------------------------------------ */

  function cancel(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  doc.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) cancel(event);
  }, true);

  doc.addEventListener("click", function (event) {
    var el = event.target.closest("a[data-confirm], button[data-confirm]");
    if (!el) return;
    // Submit buttons are asked in the submit handler above (once, also for Ctrl+Enter).
    if (el.tagName === "BUTTON" && el.form && (el.type || "submit") === "submit") return;
    if (!window.confirm(el.getAttribute("data-confirm"))) cancel(event);
  }, true);

  /* ------------------------------------------------------------------ *
   * 7. Menus and alerts
   * ------------------------------------------------------------------ */

  // Close open <details class="menu"> when clicking elsewhere.
  doc.addEventListener("click", function (event) {
    doc.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  // Escape closes the menu the focus is in and returns focus to its summary.
  doc.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = event.target.closest && event.target.closest("details.menu[open]");
    if (!menu) return;
    menu.removeAttribute("open");
    var summary = menu.querySelector("summary");
    if (summary) summary.focus();
  });

  // Dismiss buttons on alerts.
  doc.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (!button) return;
    var alert = button.closest(".alert");
    if (alert) alert.remove();
  });

  onReady(function () {
    // Flash messages get a dismiss button.
    doc.querySelectorAll(".messages .alert").forEach(function (alert) {
      if (!alert.querySelector("[data-dismiss]")) alert.appendChild(makeCloseButton());
    });

    // Keep the current operation in view in a scrolling sidebar.
    var current = doc.querySelector(".sidebar .op-link[aria-current]");
    var scroller = current && current.closest(".sidebar");
    if (scroller && scroller.scrollHeight > scroller.clientHeight) {
      var top = current.getBoundingClientRect().top - scroller.getBoundingClientRect().top +
        scroller.scrollTop;
      if (top < scroller.scrollTop || top > scroller.scrollTop + scroller.clientHeight - 40) {
        scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 3);
      }
    }

    // A search box that already has a value (e.g. ?q= after a reload) filters at once.
    doc.querySelectorAll("[data-search][data-filter]").forEach(function (input) {
      if (input.value) applyFilter(input);
    });
  });
})();
