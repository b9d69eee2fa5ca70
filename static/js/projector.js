/* The projector: one screen that never scrolls (docs/architecture.md, The agenda drives the room).
 *
 * The stage (#room-sections) shows the one section #meeting[data-screen] names (projector.css).
 * This script fits that section to the stage, whatever the room has put in it:
 *   1. The words start at a comfortable size and shrink (--app-text on the stage, which every
 *      size on the stage is drawn from) until the whole section fits, but never below a floor
 *      read across a room: a card's, a reason's or an action's words stay at least 24 px high
 *      on a 1080-line screen and 18 px on a 720-line one.
 *   2. Lists flow into as many columns as the stage is wide (projector.css): each list is given
 *      the height down to the stage's foot, and what does not fit goes to further columns.
 *   3. If the section does not fit even at the floor, its lists are split into pages, so that
 *      every item shown is whole and on the screen. "1 of 2" says where the room is; the pages
 *      turn by themselves every 12 seconds, and the arrow and page keys turn them at once.
 * It fits again whenever something can change what fits: a live update (a card arrives, the
 * agenda moves on), the screen's size, or the band above the stage growing or shrinking.
 */
(function () {
  "use strict";

  var root = document.getElementById("meeting");
  var stage = document.getElementById("room-sections");
  var pager = document.getElementById("projector-pages");
  if (!root || !stage || !pager || root.dataset.audience !== "projector") return;

  var START = 1 / 20;    // of the screen's height: the words' size when everything fits easily
  var FLOOR = 1 / 45;    // of the screen's height: 24 px at 1080 lines
  var FLOOR_PX = 18;     // and never less, however small the screen
  var TURN_MS = 12000;   // how long a page stays before the next comes by itself
  var SETTLE_MS = 40;    // changes that arrive together are fitted once
  // The lists split into pages. Everything else in a section (headings, a chart) is on every page.
  var FLOWS = [".app-cards", "#child-views-list", "#offers-list", "#actions-list", "#carried-list",
               "#cases-list", ".app-scores", ".app-tally__people", "#presence-list"].join(",");
  var FLOW = "app-fit-flow";   // a list being fitted (projector.css lays it out in columns)
  var OFF = "app-fit-off";     // an item on another page
  var PAGED = "app-fit--paged"; // the stage keeps room at its foot for "1 of 2"
  var KEYS = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 };

  var plan = null;       // when paged: {flows, ranges: per flow, per page [from, to), count}
  var page = 0;
  var shownKey = null;   // which section (and column) the pages are of
  var turnTimer = null;
  var fitTimer = null;

  function each(list, action) { Array.prototype.forEach.call(list, action); }

  function itemsOf(flow) { return Array.prototype.slice.call(flow.children); }

  function drawn(element) { return element.getClientRects().length > 0; }

  // ---- Measuring -------------------------------------------------------------------------------

  // The stage's foot, above the room kept for "1 of 2" when paged.
  function stageFoot() {
    var style = window.getComputedStyle(stage);
    return stage.getBoundingClientRect().bottom - parseFloat(style.paddingBottom) -
      parseFloat(style.borderBottomWidth);
  }

  // What the boxes around a list keep below it (their padding, borders and margins), so that the
  // list stops short of the foot by that much and the boxes close inside the stage.
  function keptBelow(flow) {
    var total = 0;
    for (var element = flow; element && element !== stage; element = element.parentElement) {
      var style = window.getComputedStyle(element);
      total += parseFloat(style.marginBottom) || 0;
      if (element !== flow) {
        total += (parseFloat(style.paddingBottom) || 0) + (parseFloat(style.borderBottomWidth) || 0);
      }
    }
    return total;
  }

  // Each list reaches down to the stage's foot; what does not fit flows into further columns,
  // to the side, where the list's own edge hides it.
  function layout(flows, size) {
    stage.style.setProperty("--app-text", size + "px");
    flows.forEach(function (flow) { flow.style.height = ""; });
    var foot = stageFoot();
    var tops = flows.map(function (flow) { return flow.getBoundingClientRect().top; });
    flows.forEach(function (flow, index) {
      flow.style.height = Math.max(0, Math.floor(foot - tops[index] - keptBelow(flow))) + "px";
    });
  }

  function inside(item, box) {
    if (!drawn(item)) return true;   // the styles leave it out: it needs no room
    var r = item.getBoundingClientRect();
    return r.top >= box.top - 1 && r.bottom <= box.bottom + 1 &&
      r.left >= box.left - 1 && r.right <= box.right + 1;
  }

  // How many items, from `start` on, the list shows whole when the ones before are on pages of
  // their own.
  function fitFrom(flow, start) {
    var items = itemsOf(flow);
    items.forEach(function (item, index) { item.classList.toggle(OFF, index < start); });
    var box = flow.getBoundingClientRect();
    var count = 0;
    while (start + count < items.length && inside(items[start + count], box)) count += 1;
    return count;
  }

  // Anything besides the lists (a heading, the chart) that runs past the stage.
  function overflows() {
    return stage.scrollHeight > stage.clientHeight + 1 || stage.scrollWidth > stage.clientWidth + 1;
  }

  function fits(flows, size) {
    layout(flows, size);
    if (overflows()) return false;
    return flows.every(function (flow) { return fitFrom(flow, 0) === flow.children.length; });
  }

  // ---- Pages -----------------------------------------------------------------------------------

  // As many items as fit on each page in turn (an item too big for a page has one to itself).
  function greedy(flow) {
    var ranges = [];
    for (var start = 0, total = flow.children.length; start < total;) {
      var count = Math.max(1, fitFrom(flow, start));
      ranges.push([start, start + count]);
      start += count;
    }
    return ranges;
  }

  // The same items over exactly `count` pages, evened out, so that the last page is not one
  // card alone and a short column is not empty on every page after its first. Null if they do
  // not fit in that many.
  function spread(flow, count) {
    var ranges = [], start = 0, total = flow.children.length;
    for (var index = 0; index < count; index += 1) {
      var wanted = Math.ceil((total - start) / (count - index));
      var take = start < total ? Math.min(wanted, Math.max(1, fitFrom(flow, start))) : 0;
      ranges.push([start, start + take]);
      start += take;
    }
    return start >= total ? ranges : null;
  }

  function paginate(flows) {
    var greedyRanges = flows.map(greedy);
    var count = Math.max.apply(null, [1].concat(greedyRanges.map(function (r) { return r.length; })));
    var ranges = flows.map(function (flow, index) {
      return spread(flow, count) || greedyRanges[index];
    });
    return { flows: flows, ranges: ranges, count: count };
  }

  // How many pages the lists need with words of this size (more than `limit`: stops counting).
  function pagesAt(flows, size, limit) {
    layout(flows, size);
    if (overflows()) return Infinity;
    var most = 1;
    for (var index = 0; index < flows.length && most <= limit; index += 1) {
      var count = 0;
      for (var start = 0, total = flows[index].children.length; start < total && count <= limit;) {
        start += Math.max(1, fitFrom(flows[index], start));
        count += 1;
      }
      most = Math.max(most, count);
    }
    return most;
  }

  function showPage(index) {
    page = (index + plan.count) % plan.count;
    plan.flows.forEach(function (flow, flowIndex) {
      var range = plan.ranges[flowIndex][page] || [0, 0];
      itemsOf(flow).forEach(function (item, itemIndex) {
        item.classList.toggle(OFF, itemIndex < range[0] || itemIndex >= range[1]);
      });
    });
    pager.textContent = (page + 1) + " of " + plan.count;
    pager.hidden = false;
  }

  // The pages turn by themselves; a live update re-fits without restarting the wait, so a busy
  // room does not hold the screen on one page.
  function keepTurning() {
    if (!plan) {
      window.clearTimeout(turnTimer);
      turnTimer = null;
    } else if (turnTimer === null) {
      turnTimer = window.setTimeout(function () {
        turnTimer = null;
        turn(1);
      }, TURN_MS);
    }
  }

  function turn(step) {
    if (!plan) return;
    showPage(page + step);
    window.clearTimeout(turnTimer);
    turnTimer = null;
    keepTurning();
  }

  // ---- Fitting the shown section ---------------------------------------------------------------

  function shownSection() {
    return document.getElementById("section-" + root.getAttribute("data-screen"));
  }

  // The board shows the column the screen is on alone (projector.css hides the others).
  function markColumn() {
    var column = root.getAttribute("data-screen-column");
    each(stage.querySelectorAll(".app-column"), function (element) {
      element.classList.toggle("app-column--on-screen", !!column && element.dataset.column === column);
    });
  }

  function reset() {
    each(stage.querySelectorAll("." + OFF), function (item) { item.classList.remove(OFF); });
    each(stage.querySelectorAll("." + FLOW), function (flow) {
      flow.classList.remove(FLOW);
      flow.style.height = "";
    });
    stage.classList.remove(PAGED);
  }

  function fit() {
    window.clearTimeout(fitTimer);
    fitTimer = null;
    var key = root.getAttribute("data-screen") + ":" + root.getAttribute("data-screen-column");
    var keepPage = key === shownKey ? page : 0;
    shownKey = key;
    plan = null;
    reset();
    markColumn();
    var section = shownSection();
    var height = window.innerHeight;
    var floor = Math.max(FLOOR_PX, Math.ceil(height * FLOOR));
    var start = Math.max(floor, Math.floor(height * START));
    var flows = section ? Array.prototype.filter.call(section.querySelectorAll(FLOWS), drawn) : [];
    flows.forEach(function (flow) { flow.classList.add(FLOW); });

    if (fits(flows, start)) {
      finish(null, 0);
    } else if (fits(flows, floor)) {
      // The largest size that fits, to the pixel: fits(low) and not fits(high).
      var low = floor, high = start;
      while (high - low > 1) {
        var middle = Math.floor((low + high) / 2);
        if (fits(flows, middle)) low = middle; else high = middle;
      }
      fits(flows, low);
      finish(null, 0);
    } else if (flows.length) {
      // Pages: as few as the floor allows, and on them the words as large as still gives no more.
      stage.classList.add(PAGED);
      var fewest = pagesAt(flows, floor, Infinity);
      var small = floor, large = fewest === Infinity ? floor + 1 : start + 1;
      while (large - small > 1) {
        var size = Math.floor((small + large) / 2);
        if (pagesAt(flows, size, fewest) <= fewest) small = size; else large = size;
      }
      layout(flows, small);
      finish(paginate(flows), keepPage);
    } else {
      finish(null, 0);  // nothing to split: the section is as small as it may be
    }
  }

  function finish(newPlan, keepPage) {
    plan = newPlan && newPlan.count > 1 ? newPlan : null;
    // What was fitted, for whoever checks the screen (the browser tests): the section, the size
    // of the words and the number of pages.
    stage.setAttribute("data-fit-screen", shownKey);
    stage.setAttribute("data-fit-size", stage.style.getPropertyValue("--app-text"));
    stage.setAttribute("data-fit-pages", plan ? String(plan.count) : "1");
    stage.setAttribute("data-fit", "done");
    if (plan) {
      showPage(Math.min(keepPage, plan.count - 1));
    } else {
      each(stage.querySelectorAll("." + OFF), function (item) { item.classList.remove(OFF); });
      stage.classList.remove(PAGED);
      pager.hidden = true;
      pager.textContent = "";
    }
    keepTurning();
  }

  function refit() {
    stage.setAttribute("data-fit", "pending");
    window.clearTimeout(fitTimer);
    fitTimer = window.setTimeout(fit, SETTLE_MS);
  }

  // ---- When to fit again -----------------------------------------------------------------------

  root.addEventListener("app:updated", refit);   // meeting.js: a live update was applied
  window.addEventListener("resize", refit);
  window.addEventListener("load", refit);        // the QR code, the fonts
  // The stage shrinks when the band above it grows (a long item's title, the closed notice).
  if (window.ResizeObserver) new ResizeObserver(refit).observe(stage, { box: "border-box" });
  // Any change of content, even one that is not a live update (who is here), and the screen
  // changing section. The fitting itself only changes classes and styles, which are not watched.
  if (window.MutationObserver) {
    new MutationObserver(refit).observe(stage, { childList: true, subtree: true, characterData: true });
    new MutationObserver(refit).observe(root, { attributes: true,
      attributeFilter: ["data-screen", "data-screen-column"] });
  }

  // Whoever runs the projector's laptop can turn the pages by keyboard.
  document.addEventListener("keydown", function (event) {
    var step = KEYS[event.key];
    if (!step || !plan || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    turn(step);
  });

  fit();
}());
