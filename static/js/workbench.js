/*
 * workbench.js — the operation page as a workbench (progressive enhancement).
 *
 * The page works without this file: the panes sit half and half on wide screens and
 * stacked on narrow ones, the production banner is rendered by the server for the
 * access chosen on load. This file adds:
 *
 *   1. Split divider ...... [data-split] grid with a [data-split-handle] separator:
 *                           pointer drag and arrow keys; the request pane's share is
 *                           kept in localStorage and restored on the next page.
 *   2. After Send ......... what htmx swaps into #response-slot (the response, the
 *                           "Not sent" errors or the production question) is scrolled
 *                           into view, focused ([data-response-top], tabindex=-1), and
 *                           its data-announce sentence said in #response-announce.
 *   3. Production banner .. [data-prod-banner] follows the access picker: an <option
 *                           data-production="Env name"> shows it, naming the environment.
 *
 * Strict CSP: no inline style. The split is a custom property set through the CSSOM
 * (style.setProperty), which CSP does not govern (it restricts style attributes in
 * markup and <style> elements, not CSSOM writes); text goes in through textContent.
 */
(function () {
  "use strict";

  var doc = document;
  var STORE_KEY = "console:split";
  var MIN = 25;
  var MAX = 75;
  var STEP = 2;
  var BIG_STEP = 10;
  var WIDE = "(min-width: 75rem)";

  function clamp(value) {
    return Math.min(MAX, Math.max(MIN, Math.round(value)));
  }

  function isWide() {
    return window.matchMedia(WIDE).matches;
  }

  /* ------------------------------------------------------------------ *
   * 1. Split divider
   * ------------------------------------------------------------------ */

  function storedSplit() {
    try {
      var value = parseFloat(window.localStorage.getItem(STORE_KEY));
      return isNaN(value) ? null : clamp(value);
    } catch (e) {
      return null; // storage switched off: the split is simply not remembered
    }
  }

  function storeSplit(value) {
    try {
      window.localStorage.setItem(STORE_KEY, String(value));
    } catch (e) {
      /* not remembered, still applied */
    }
  }

  function applySplit(grid, handle, value) {
    grid.style.setProperty("--split", value + "%");
    handle.setAttribute("aria-valuenow", String(value));
    handle.setAttribute("aria-valuetext", "Request " + value + " %, response " + (100 - value) + " %");
  }

  function setUpSplit(grid) {
    var handle = grid.querySelector("[data-split-handle]");
    if (!handle) return;
    handle.hidden = false;
    var current = storedSplit();
    if (current === null) current = 50;
    applySplit(grid, handle, current);

    function set(value, remember) {
      current = clamp(value);
      applySplit(grid, handle, current);
      if (remember) storeSplit(current);
    }

    function fromPointer(event) {
      var box = grid.getBoundingClientRect();
      return ((event.clientX - box.left) / box.width) * 100;
    }

    var dragging = false;
    handle.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      dragging = true;
      handle.setPointerCapture(event.pointerId);
      handle.classList.add("is-dragging");
      grid.classList.add("is-resizing");
      handle.focus({ preventScroll: true });
      event.preventDefault();
    });
    handle.addEventListener("pointermove", function (event) {
      if (dragging) set(fromPointer(event), false);
    });
    function stop(event) {
      if (!dragging) return;
      dragging = false;
      if (handle.hasPointerCapture(event.pointerId)) handle.releasePointerCapture(event.pointerId);
      handle.classList.remove("is-dragging");
      grid.classList.remove("is-resizing");
      storeSplit(current); // remembered once, at the end of the drag
    }
    handle.addEventListener("pointerup", stop);
    handle.addEventListener("pointercancel", stop);

    handle.addEventListener("keydown", function (event) {
      var step = event.shiftKey ? BIG_STEP : STEP;
      var next = null;
      if (event.key === "ArrowLeft" || event.key === "ArrowDown") next = current - step;
      else if (event.key === "ArrowRight" || event.key === "ArrowUp") next = current + step;
      else if (event.key === "Home") next = MIN;
      else if (event.key === "End") next = MAX;
      else if (event.key === "Enter") next = 50; // back to half and half
      if (next === null) return;
      event.preventDefault();
      set(next, true);
    });

    // Another tab moved the divider: follow it.
    window.addEventListener("storage", function (event) {
      if (event.key === STORE_KEY && event.newValue !== null) set(parseFloat(event.newValue) || 50, false);
    });
  }

  /* ------------------------------------------------------------------ *
   * 2. After Send: reveal, focus and announce what came back
   * ------------------------------------------------------------------ */

  function topbarHeight() {
    var bar = doc.querySelector(".topbar");
    return bar && getComputedStyle(bar).position === "sticky" ? bar.getBoundingClientRect().height : 0;
  }

  /** Scroll the window by the least amount that shows `el`'s top below the top bar. */
  function showTop(el) {
    var margin = 12;
    var top = el.getBoundingClientRect().top;
    var low = topbarHeight() + margin;
    var high = window.innerHeight - 96; // its top with some of it under, not at the very bottom
    if (top < low || top > high) window.scrollBy(0, top - low);
  }

  function announce(text) {
    var region = doc.getElementById("response-announce");
    if (!region || !text) return;
    // Emptied first, set a moment later: the same sentence twice is still read twice.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 60);
  }

  /** Scroll the window by the least amount that shows `el` whole under the top bar
   *  (its top, when it is taller than that). */
  function fit(el) {
    var box = el.getBoundingClientRect();
    var low = topbarHeight();
    var high = window.innerHeight;
    if (box.top >= low && box.bottom <= high + 1) return;
    window.scrollBy(0, box.height <= high - low ? box.bottom - high : box.top - low - 12);
  }

  function reveal(slot) {
    var top = slot.querySelector("[data-response-top]");
    if (!top) return;
    var grid = slot.closest("[data-split]");
    if (isWide() && grid) {
      // Both panes whole on screen (the form's Send bar included), the response from its top.
      slot.scrollTop = 0;
      fit(grid.closest(".workbench") || grid);
    } else {
      showTop(top);
    }
    top.focus({ preventScroll: true });
    announce(top.getAttribute("data-announce"));
  }

  doc.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "response-slot") reveal(target);
  });

  /* ------------------------------------------------------------------ *
   * 3. Production banner
   * ------------------------------------------------------------------ */

  function syncBanner(select) {
    var form = select.form || select.closest("form");
    var banner = form && form.querySelector("[data-prod-banner]");
    if (!banner) return;
    var option = select.options[select.selectedIndex];
    var env = option ? option.getAttribute("data-production") : null;
    var name = banner.querySelector("[data-prod-env]");
    if (name) name.textContent = env || "";
    banner.hidden = !env;
  }

  doc.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches && t.matches("[data-send-form] select[name=access]")) syncBanner(t);
  });

  function start() {
    doc.querySelectorAll("[data-split]").forEach(setUpSplit);
    // A form the browser restored (Back) may show another access than the server chose.
    doc.querySelectorAll("[data-send-form] select[name=access]").forEach(syncBanner);
    // A Send without htmx answers with the whole page: show its response the same way.
    var slot = doc.getElementById("response-slot");
    if (slot) reveal(slot);
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})();
