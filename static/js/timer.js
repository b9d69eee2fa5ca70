/* The agenda's countdown. Nothing on the server ticks: the timer element carries the moment the
 * item's time runs out (data-deadline, the server's clock in ms), and this script counts down to
 * it a few times a second. This device's clock may be off, so "now" is Date.now() plus the offset
 * meeting.js measures on every join (root.dataset.clockOffset; 0 until the first join).
 * A paused timer shows data-remaining. At two minutes the timer turns amber, and at zero red with
 * "Over time by"; each is said once per item through the page's polite live region. */
(function () {
  "use strict";

  var root = document.getElementById("meeting");
  if (!root) return;
  var announcer = document.getElementById("live-announcer");
  var TICK = 250;  // ms
  var RANK = { normal: 0, warning: 1, overrun: 2 };
  var PHASES = ["normal", "warning", "overrun"];
  var seen = {};       // item id -> the phase this page last showed
  var announced = {};  // "item id:phase" -> true, so each is said once per item

  function serverNow() {
    var offset = Number(root.dataset.clockOffset);
    return Date.now() + (isFinite(offset) ? offset : 0);
  }

  function clock(seconds) {
    var whole = Math.abs(seconds);
    return Math.floor(whole / 60) + ":" + ("0" + (whole % 60)).slice(-2);
  }

  // Python's round(): halves to the even number, so the words match the server's exactly.
  function roundHalfEven(x) {
    var r = Math.round(x);
    return (Math.abs(x % 1) === 0.5 && r % 2 !== 0) ? r - 1 : r;
  }

  // As schedule_words in facilitator/agenda/views.py.
  function scheduleWords(behind) {
    var minutes = roundHalfEven(Math.abs(behind) / 60);
    if (minutes === 0) return "On schedule";
    return minutes + " min " + (behind > 0 ? "behind" : "ahead of") + " schedule";
  }

  function announce(text) {
    if (!announcer || !text) return;
    var line = document.createElement("p");
    line.textContent = text;
    announcer.appendChild(line);
    while (announcer.childNodes.length > 3) announcer.removeChild(announcer.firstChild);
  }

  function sentence(text) {
    return /[.?!]$/.test(text) ? text : text + ".";
  }

  function setText(element, text) {
    if (element && element.textContent !== text) element.textContent = text;
  }

  function number(timer, name, fallback) {
    var value = Number(timer.dataset[name]);
    return isFinite(value) && timer.dataset[name] !== "" ? value : fallback;
  }

  function update(timer) {
    var remaining;  // seconds, negative once over time
    if (timer.dataset.state === "paused") remaining = number(timer, "remaining", NaN);
    else remaining = (number(timer, "deadline", NaN) - serverNow()) / 1000;
    if (!isFinite(remaining)) return;
    var warning = number(timer, "warning", 120);
    var phase = remaining <= 0 ? "overrun" : remaining <= warning ? "warning" : "normal";
    // Counting down, a second shows until it has fully gone; over time, once it has passed.
    var shown = phase === "overrun" ? Math.floor(-remaining) : Math.ceil(remaining);

    PHASES.forEach(function (name) { timer.classList.toggle("app-timer--" + name, name === phase); });
    setText(timer.querySelector(".app-timer__label"), phase === "overrun" ? "Over time by" : "Time left");
    setText(timer.querySelector(".app-timer__value"), clock(shown));
    var marker = timer.querySelector("[data-marker]");
    if (marker) {
      marker.hidden = phase === "normal";
      setText(marker.querySelector(".app-timer__marker-text"),
              phase === "overrun" ? "Time is up" : Math.round(warning / 60) + " minutes or less");
    }

    var planned = number(timer, "planned", 0);
    var elapsed = planned + number(timer, "extended", 0) - remaining;
    var behind = number(timer, "doneBehind", 0) + Math.max(0, elapsed - planned);
    setText(timer.querySelector("[data-schedule]"), scheduleWords(behind));

    tell(timer, phase, warning);
  }

  // Said when this page sees the item cross into a phase, never on every tick, and not for the
  // phase an item already had when the page first showed it.
  function tell(timer, phase, warning) {
    var item = timer.dataset.item || "";
    var before = seen[item];
    seen[item] = phase;
    if (before === undefined || RANK[phase] <= RANK[before]) return;
    var title = timer.dataset.title || "this item";
    if (phase === "overrun" && !announced[item + ":overrun"]) {
      announced[item + ":overrun"] = announced[item + ":warning"] = true;
      announce(sentence("Time is up for " + title));
    } else if (phase === "warning" && !announced[item + ":warning"]) {
      announced[item + ":warning"] = true;
      announce(sentence(Math.round(warning / 60) + " minutes left for " + title));
    }
  }

  function tick() {
    Array.prototype.forEach.call(root.querySelectorAll("[data-timer]"), update);
  }

  // A new agenda from the server (meeting.js replaces #agenda) is brought up to the second at
  // once, not at the next tick.
  var area = document.getElementById("agenda-area");
  if (area && window.MutationObserver) new MutationObserver(tick).observe(area, { childList: true });

  tick();
  window.setInterval(tick, TICK);
}());
