/* The room, phase by phase (docs/architecture.md, The agenda drives the room).
 *
 * The server marks #meeting with what the agenda is on (data-phase, data-phase-column) and what
 * the projector shows (data-screen); live updates change those attributes (meeting.js). This
 * script arranges the chair's and a participant's page to match:
 *   - the section the agenda is on comes first (for a participant, scaling comes first while a
 *     round is open), and on a participant's page the current column leads the board;
 *   - the menu of sections marks the current one;
 *   - the console's notices count what waits (people in the lobby, actions to confirm);
 *   - the sticky console's height is kept in --app-console-height, so the browser never
 *     scrolls a focused field under it.
 * Without this script the server's order stands (the section drawn first is the current one).
 */
(function () {
  "use strict";

  var root = document.getElementById("meeting");
  var sections = document.getElementById("room-sections");
  if (!root || !sections) return;
  var audience = root.dataset.audience;

  function roundOpen() {
    return !!root.querySelector("#scaling-rounds .app-tag--open");
  }

  function firstSection() {
    if (audience === "participant" && roundOpen()) return "scaling";
    return root.getAttribute("data-phase");
  }

  // Moving an element takes the keyboard focus and the selection out of it: put them back.
  function keepingFocus(move) {
    var active = document.activeElement;
    var start = active && active.selectionStart, end = active && active.selectionEnd;
    move();
    if (active && active !== document.activeElement && document.contains(active)) {
      active.focus({ preventScroll: true });
      if (typeof start === "number" && active.setSelectionRange) active.setSelectionRange(start, end);
    }
  }

  function putFirst(container, element) {
    if (!container || !element || container.firstElementChild === element) return;
    keepingFocus(function () { container.insertBefore(element, container.firstElementChild); });
  }

  // The others keep the meeting's order (the order of the menu).
  function restoreOrder(first) {
    var links = root.querySelectorAll("[data-section-link]");
    var ordered = Array.prototype.map.call(links, function (link) {
      return document.getElementById("section-" + link.getAttribute("data-section-link"));
    }).filter(function (element) { return element && element.dataset.section !== first; });
    var inPlace = ordered.every(function (element, index) {
      return sections.children[index + 1] === element;
    });
    if (inPlace) return;
    keepingFocus(function () {
      ordered.forEach(function (element) { sections.appendChild(element); });
    });
  }

  function arrangeSections() {
    if (audience === "projector") return;
    var first = firstSection();
    putFirst(sections, document.getElementById("section-" + first));
    restoreOrder(first);
    var column = root.getAttribute("data-phase-column");
    Array.prototype.forEach.call(root.querySelectorAll(".app-column"), function (element) {
      element.classList.toggle("app-column--now", !!column && element.dataset.column === column);
    });
    if (audience === "participant" && column) {
      var board = root.querySelector(".app-board");
      putFirst(board, board && board.querySelector('.app-column[data-column="' + column + '"]'));
    }
    var scaling = document.getElementById("section-scaling");
    if (scaling) scaling.classList.toggle("app-section--cue", audience === "participant" && roundOpen());
    markMenu(first);
  }

  function markMenu(first) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-section-link]"), function (link) {
      if (link.getAttribute("data-section-link") !== first) {
        link.removeAttribute("aria-current");
        return;
      }
      link.setAttribute("aria-current", "true");
      // A phone's menu scrolls sideways: bring the current part into it (never the page).
      var menu = link.closest(".app-room-nav");
      if (menu && menu.scrollWidth > menu.clientWidth) menu.scrollLeft = Math.max(0, link.offsetLeft - 16);
    });
  }

  // "Waiting to join: 2", "Actions to confirm: 1".
  var counted = {};
  function count() {
    Array.prototype.forEach.call(root.querySelectorAll("[data-count-of]"), function (notice) {
      var list = document.getElementById(notice.getAttribute("data-count-of"));
      var selector = notice.getAttribute("data-count-selector");
      var number = !list ? 0 : selector ? list.querySelectorAll(selector).length
        : list.children.length;
      var shown = notice.querySelector("[data-count]");
      if (shown) shown.textContent = String(number);
      notice.classList.toggle("app-console__notice--on", number > 0);
      var before = counted[notice.id || notice.getAttribute("data-count-of")] || 0;
      counted[notice.id || notice.getAttribute("data-count-of")] = number;
      // The lobby opens in place when someone arrives, and closes when no one is left.
      if (notice.tagName === "DETAILS") {
        if (number > before) notice.open = true;
        if (number === 0) notice.open = false;
      }
    });
  }

  function consoleHeight() {
    var bar = document.getElementById("console");
    var sticky = bar && window.getComputedStyle(bar).position === "sticky";
    document.documentElement.style.setProperty("--app-console-height",
      (sticky ? bar.offsetHeight : 0) + "px");
  }

  function arrange() {
    arrangeSections();
    count();
    consoleHeight();
  }

  root.addEventListener("app:updated", arrange);
  root.addEventListener("toggle", consoleHeight, true);
  window.addEventListener("resize", consoleHeight);
  arrange();
}());
