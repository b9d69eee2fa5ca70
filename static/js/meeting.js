/* The live meeting page: joins the meeting's rooms, applies server-rendered updates in order,
 * replays what it missed after a dropped connection, and keeps what the person submits on the
 * device until the server has it (see docs/live-protocol.md). */
(function () {
  "use strict";

  var root = document.getElementById("meeting");
  if (!root || typeof io === "undefined") return;

  var meetingId = Number(root.dataset.meeting);
  var seat = root.dataset.seat || "";
  var role = root.dataset.role || "";
  var projectorToken = root.dataset.projector || "";
  var lastSeq = Number(root.dataset.seq) || 0;
  var statusEl = document.getElementById("connection-status");
  var announcer = document.getElementById("live-announcer");
  var outboxKey = "facilitator.outbox." + meetingId + "." + (seat || "projector");
  var catchingUp = true;
  var held = [];            // events that arrived while catching up
  var inFlight = null;      // the outbox item being sent (one at a time keeps their order)
  var everConnected = false;
  var deferred = {};        // card id -> its newest upsert, held back while the person edits it
  var settling = [];        // answered changes whose event has not reached this page yet
  var errorUntil = 0;       // a refusal shown on the status line stays until then
  var ERROR_SHOWN = 10000;  // ms

  // A board drawn in answer to a form posted before this script ran (and refused) has the
  // post's address; a reload should fetch the board, not send the form again.
  if (root.dataset.board && window.location.pathname !== root.dataset.board) {
    window.history.replaceState(null, "", root.dataset.board);
  }

  // ---- Status and announcements -------------------------------------------------------------

  function setStatus(state, text) {
    if (!statusEl) return;
    statusEl.dataset.state = state;
    statusEl.textContent = text;
  }

  function announce(text) {
    if (!announcer || !text) return;
    var line = document.createElement("p");
    line.textContent = text;
    announcer.appendChild(line);
    while (announcer.childNodes.length > 3) announcer.removeChild(announcer.firstChild);
  }

  function describeOutbox() {
    var count = outbox.length;
    return count === 1 ? "1 change is waiting to send." : count + " changes are waiting to send.";
  }

  // One wording for every way of being cut off, so the line never stops saying "offline".
  function showOffline() {
    var text = navigator.onLine === false ? "You are offline." :
      "You are offline: the meeting cannot be reached. Trying again…";
    if (!outbox.length) text += " Anything you add is kept on this device and sent when the connection returns.";
    else text += " " + describeOutbox() + (outbox.length === 1 ? " It is" : " They are") + " kept on this device and sent when the connection returns.";
    setStatus("offline", text);
  }

  function showSettled() {
    if (!socket.connected || catchingUp || outbox.length || inFlight || settling.length) return;
    if (statusEl && statusEl.dataset.state === "online") return;  // keeps "Back online" readable
    if (statusEl && statusEl.dataset.state === "error" && Date.now() < errorUntil) return;  // and a refusal, a while
    setStatus("online", "Connected. Up to date.");
  }

  // ---- The outbox: submissions kept on this device until the server acknowledges them --------

  function loadOutbox() {
    try { return JSON.parse(window.localStorage.getItem(outboxKey)) || []; } catch (e) { return []; }
  }

  function saveOutbox() {
    try { window.localStorage.setItem(outboxKey, JSON.stringify(outbox)); } catch (e) { /* full or blocked */ }
  }

  var outbox = seat ? loadOutbox() : [];

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function pendingList(column) { return document.getElementById("pending-" + column); }

  function statusNote(text) {
    var note = document.createElement("p");
    note.className = "app-card__status";
    note.textContent = text;
    return note;
  }

  // A waiting change to an existing card is marked on the card itself; re-rendering a card
  // drops the mark, so prepare() calls this again for every card it puts on the page.
  function markChanging(card) {
    if (!card || !card.id) return;
    var waiting = outbox.some(function (item) {
      return item.type !== "card.add" && "card-" + item.data.card === card.id;
    });
    card.classList.toggle("app-card--changing", waiting);
    var note = card.querySelector(":scope > .app-card__status");
    if (waiting && !note) card.insertBefore(statusNote("Change waiting to send"), card.querySelector(".app-card__author"));
    if (!waiting && note) note.remove();
  }

  function showPending(item) {
    if (item.form) {
      var form = document.getElementById(item.form);
      if (form && !form.querySelector(":scope > .app-card__status")) form.insertBefore(statusNote("Waiting to send"), form.firstChild);
      return;
    }
    if (item.type !== "card.add") {
      markChanging(document.getElementById("card-" + item.data.card));
      return;
    }
    var list = pendingList(item.data.column);
    if (!list || list.querySelector('[data-key="' + item.key + '"]')) return;
    var li = document.createElement("li");
    li.className = "app-card app-card--pending";
    li.dataset.key = item.key;
    var text = document.createElement("p");
    text.className = "app-card__text";
    text.textContent = item.data.text;          // never as markup
    li.appendChild(text);
    li.appendChild(statusNote("Waiting to send"));
    list.appendChild(li);
  }

  function clearPending(item) {
    var form = item.form && document.getElementById(item.form);
    var note = form && form.querySelector(":scope > .app-card__status");
    if (note) note.remove();
    var li = document.querySelector('.app-card--pending[data-key="' + item.key + '"]');
    if (li) li.remove();
    if (item.data.card) markChanging(document.getElementById("card-" + item.data.card));
  }

  // Keep the "waiting" copy until the event itself is on the page, so the card never vanishes
  // between the answer and the broadcast (they can arrive in either order via a message queue).
  function settle(item, seq) {
    if (typeof seq === "number" && seq > lastSeq) settling.push({ item: item, seq: seq });
    else clearPending(item);
  }

  function settleUpTo(seq) {
    settling = settling.filter(function (entry) {
      if (entry.seq > seq) return true;
      clearPending(entry.item);
      return false;
    });
  }

  function formFor(item) {
    if (item.form) return document.getElementById(item.form);
    if (item.type === "card.add") {
      var input = root.querySelector('form[data-live="card.add"] input[name="column"][value="' + item.data.column + '"]');
      return input && input.form;
    }
    var card = document.getElementById("card-" + item.data.card);
    return card && card.querySelector('form[data-live="' + item.type + '"]');
  }

  function errorBox(form) {
    var box = form.querySelector(".app-form-error");
    if (box) return box;
    box = document.createElement("p");
    box.className = "govuk-error-message app-form-error";
    box.id = "error-" + newKey().slice(0, 8);
    form.insertBefore(box, form.firstChild);
    return box;
  }

  // The field a refusal is about: the one the server names (reply.field), or the one whose own
  // check says the same words (data-required), or the first one left empty, or the first box.
  function fieldFor(form, message, name) {
    var named = name && (form.querySelector('[data-field="' + name + '"] input') ||
                         form.querySelector('[name="' + name + '"]:not([type=hidden])'));
    if (named) return named;
    var same = Array.prototype.filter.call(form.querySelectorAll("[data-required]"), function (el) {
      return el.dataset.required === message;
    })[0];
    if (same) return same.matches("fieldset") ? same.querySelector("input") : same;
    return firstMissing(form) || form.querySelector("textarea, input[type=text]");
  }

  function showFormError(form, message, name) {
    announce(message);
    if (!form) {
      // Nowhere on the page to say it (the form has gone): the status line keeps it a while.
      setStatus("error", message);
      errorUntil = Date.now() + ERROR_SHOWN;
      window.setTimeout(showSettled, ERROR_SHOWN + 50);
      return;
    }
    var box = errorBox(form);
    box.textContent = "";
    var hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = "Error: ";
    box.appendChild(hidden);
    box.appendChild(document.createTextNode(message));
    box.hidden = false;
    var field = fieldFor(form, message, name);
    if (field) {
      placeError(box, field);
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", box.id + " " + (field.getAttribute("aria-describedby") || "").replace(box.id, "").trim());
    }
  }

  // As GOV.UK shows it: the message just above the field it is about (after a fieldset's
  // legend), in a group marked with the red bar, so it is on screen when the field has focus.
  function placeError(box, field) {
    var fieldset = field.closest("fieldset[data-required]");
    var legend = fieldset && fieldset.querySelector("legend");
    if (legend) legend.after(box);
    else field.before(box);
    var group = (fieldset || field).closest(".govuk-form-group");
    if (group) group.classList.add("govuk-form-group--error");
    if (field.matches(".govuk-textarea")) field.classList.add("govuk-textarea--error");
    if (field.matches(".govuk-input")) field.classList.add("govuk-input--error");
  }

  function clearFormError(form) {
    hideSaved(form);
    var box = form.querySelector(".app-form-error");
    if (box) { box.hidden = true; box.textContent = ""; }
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (field) {
      field.removeAttribute("aria-invalid");
      field.classList.remove("govuk-textarea--error", "govuk-input--error");
    });
    Array.prototype.forEach.call(form.querySelectorAll(".govuk-form-group--error"), function (group) {
      group.classList.remove("govuk-form-group--error");
    });
  }

  // Fields marked data-required (a text box, or a fieldset of radios named by data-field):
  // the first one left empty, as the element to focus.
  function firstMissing(form) {
    var fields = new FormData(form);
    var missing = Array.prototype.filter.call(form.querySelectorAll("[data-required]"), function (el) {
      var value = fields.get(el.dataset.field || el.name);
      return value === null || !String(value).trim();
    })[0];
    if (!missing) return null;
    return missing.matches("fieldset") ? missing.querySelector("input") : missing;
  }

  function refused(item, message, fieldName) {
    var form = formFor(item);
    var field = form && form.querySelector("textarea");
    if (item.type === "card.add" && field && !field.value) field.value = item.data.text;  // their words back
    if (form && form.hasAttribute("data-reset")) {
      Object.keys(item.data).forEach(function (name) {   // a form emptied on sending: fill it again
        var input = form.querySelector('input[type=text][name="' + name + '"], input[type=date][name="' + name + '"], textarea[name="' + name + '"], select[name="' + name + '"]');
        if (input && !input.value) input.value = item.data[name];
        // A choice (radios, a tick box) made before sending is made again.
        Array.prototype.forEach.call(form.querySelectorAll('input[type=radio][name="' + name + '"], input[type=checkbox][name="' + name + '"]'), function (choice) {
          if (choice.value === item.data[name]) choice.checked = true;
        });
      });
    }
    if (item.type === "card.edit" && form) {
      // The person has now seen the newest text: their next save should be checked against it,
      // or a conflict would be refused again and again.
      var newest = deferred["card-" + item.data.card];
      var version = newest && fragment(newest.html).dataset.version;
      if (version) form.querySelector('input[name="version"]').value = version;
    }
    showFormError(form, message, fieldName);
    var about = form && fieldFor(form, message, fieldName);
    if (about || field) (about || field).focus();
  }

  function sendNext() {
    if (inFlight || catchingUp || !socket.connected || !outbox.length) { showSettled(); return; }
    var item = outbox[0];
    inFlight = item;
    setStatus("sending", "Sending… " + describeOutbox());
    var payload = Object.assign({}, item.data, { meeting: meetingId, key: item.key });
    socket.timeout(10000).emit(item.type, payload, function (err, reply) {
      // A late answer to an attempt the disconnect handler already gave up on: the resend
      // after reconnecting owns the item now.
      if (inFlight !== item) return;
      inFlight = null;
      if (err || (reply && reply.retry)) {
        // Kept in the outbox; the same key makes the retry safe.
        var why = err ? "No answer from the meeting yet." : reply.error;
        if (socket.connected) setStatus("sending", why + " " + describeOutbox() + " Trying again…");
        window.setTimeout(sendNext, 5000);
        return;
      }
      outbox = outbox.filter(function (o) { return o.key !== item.key; });
      saveOutbox();
      if (reply && reply.ok) {
        settle(item, reply.seq);
        if (reply.ops) applyOps(reply.ops);        // for this person only: their own score
        announce(reply.announce);
        if (item.type === "card.edit") finishEditing(item.data.card);
        else if (item.form) { finishForm(item.form); showSaved(item.form); }
      } else {
        clearPending(item);
        refused(item, (reply && reply.error) || "That could not be saved.", reply && reply.field);
      }
      sendNext();
    });
  }

  // A form that stays filled once saved (the decision) says so beside its button, or the
  // person would take it for unsent and send it again. Changing the form takes the note away.
  function showSaved(formId) {
    var form = document.getElementById(formId);
    if (!form || !form.dataset.saved) return;
    var note = form.querySelector(".app-form-saved");
    if (!note) {
      note = document.createElement("p");
      note.className = "govuk-body govuk-!-margin-top-2 app-form-saved";
      note.setAttribute("role", "status");
      form.appendChild(note);
    }
    note.textContent = "";
    var tag = document.createElement("strong");
    tag.className = "govuk-tag govuk-tag--green";
    tag.textContent = "Saved";
    note.appendChild(tag);
    note.appendChild(document.createTextNode(" " + form.dataset.saved));
    note.hidden = false;
  }

  function hideSaved(form) {
    var note = form && form.querySelector(".app-form-saved");
    if (note) note.hidden = true;
  }

  root.addEventListener("input", function (event) {
    if (event.target.form) hideSaved(event.target.form);
  });

  // A form emptied once sent. Not form.reset() alone: on a board drawn from a refused post the
  // answers given back are the fields' defaults, and reset would bring them back.
  function emptyForm(form) {
    form.reset();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.type === "radio" || field.type === "checkbox") field.checked = false;
      else if (field.tagName === "SELECT") field.selectedIndex = 0;
      else if (field.tagName === "TEXTAREA" || (field.tagName === "INPUT" && !/^(hidden|submit|button|reset|image)$/.test(field.type))) field.value = "";
    });
  }

  function submit(type, data, form) {
    var item = { key: newKey(), type: type, data: data };
    // A card's change waits on the card (a new one in its column); other forms' by their id.
    if (form.id && type.indexOf("card.") !== 0) item.form = form.id;
    outbox.push(item);
    saveOutbox();
    showPending(item);
    if (type === "card.add") form.querySelector("textarea").value = "";
    if (form.hasAttribute("data-reset")) emptyForm(form);
    if (!socket.connected) showOffline();
    sendNext();
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-live]");
    if (!form) return;
    event.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    var fields = new FormData(form);
    if (event.submitter && event.submitter.name) fields.set(event.submitter.name, event.submitter.value);
    var data = {};
    // The token and the form's id are for a post without JavaScript, not the live change.
    fields.forEach(function (value, name) { if (name !== "csrf_token" && name !== "form_id") data[name] = value; });
    clearFormError(form);
    if ("text" in data && !data.text.trim()) {
      showFormError(form, "Enter what you want to say.");
      form.querySelector("textarea").focus();
      return;
    }
    var missing = firstMissing(form);
    if (missing) {
      var marked = missing.closest("[data-required]");
      showFormError(form, marked.dataset.required);
      missing.focus();
      return;
    }
    submit(form.dataset.live, data, form);
  });

  // Ctrl+Enter (or Cmd+Enter) in a card box sends it, as in most chat and notes apps.
  root.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches("form[data-live] textarea")) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });

  // ---- Applying server-rendered updates ---------------------------------------------------------

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function personalise(element) {
    // The chair's controls are sent to the minute taker's page too; only the chair uses them.
    var chairOnly = element.matches("[data-chair-only]") ? [element] : element.querySelectorAll("[data-chair-only]");
    Array.prototype.forEach.call(chairOnly, function (control) { control.hidden = role !== "chair"; });
    var controls = element.querySelectorAll("[data-own-only]");
    Array.prototype.forEach.call(controls, function (control) {
      var card = control.closest("[data-author]");
      if (card && card.dataset.author === seat) control.hidden = false;
    });
  }

  function prepare(element) {
    personalise(element);
    var cards = element.matches(".app-card[id]") ? [element] : element.querySelectorAll(".app-card[id]");
    Array.prototype.forEach.call(cards, markChanging);
    if (window.htmx) window.htmx.process(element);
  }

  // Remember where the keyboard focus is, so a card or round replaced under it keeps focus:
  // on the same control if the new render has it, else on the nearest block still there.
  var SCOPES = ".app-card[id], [data-focus-scope][id]";

  function focusMark() {
    var active = document.activeElement;
    if (!active || !active.closest || !root.contains(active)) return null;
    var scopes = [];
    for (var el = active.closest(SCOPES); el; el = el.parentElement && el.parentElement.closest(SCOPES)) scopes.push(el.id);
    if (!scopes.length) return null;
    var selector = active.tagName.toLowerCase();
    if (active.name) selector += '[name="' + active.name + '"]';
    if (active.value && active.tagName === "BUTTON") selector += '[value="' + active.value + '"]';
    var form = active.closest("form[data-live]");
    if (form) selector = 'form[data-live="' + form.dataset.live + '"] ' + selector;
    if (active.tagName === "SUMMARY") selector = "summary";
    if (active.id) selector = "#" + CSS.escape(active.id);
    return { scopes: scopes, selector: selector, element: active };
  }

  function restoreFocus(mark) {
    if (!mark || document.activeElement === mark.element) return;
    if (document.contains(mark.element)) { mark.element.focus(); return; }
    for (var i = 0; i < mark.scopes.length; i++) {
      var scope = document.getElementById(mark.scopes[i]);
      if (!scope) continue;
      var target = scope.querySelector(mark.selector);
      if (target && !target.closest("[hidden]") && target.getClientRects().length) { target.focus(); return; }
      scope.setAttribute("tabindex", "-1");
      scope.focus();
      return;
    }
  }

  // A list someone opened (<details id=…>, the chair's whole agenda) stays open when the block
  // around it is redrawn.
  function keepOpen(existing, element) {
    Array.prototype.forEach.call(existing.querySelectorAll("details[open][id]"), function (open) {
      var again = element.querySelector("#" + open.id);
      if (again) again.open = true;
    });
  }

  function isBeingEdited(element) {
    var open = element.querySelector("details[open]");
    if (!open) return false;
    var box = open.querySelector("textarea");
    return open.contains(document.activeElement) || Boolean(box && box.value !== box.defaultValue);
  }

  // Any other form in a <details> of a redrawn block (an action's edit or status form) names
  // the block in data-finishes: once sent, it is finished with as a card's edit is.
  function finishForm(formId) {
    var form = document.getElementById(formId);
    if (form && form.dataset.finishes) finishEditingIn(form.dataset.finishes);
  }

  function finishEditing(cardId) { finishEditingIn("card-" + cardId); }

  // The person's edit is saved or abandoned: close the box and show the newest render it held back.

  function finishEditingIn(id) {
    var card = document.getElementById(id);
    var details = card && card.querySelector("details[open]");
    var hadFocus = card && card.contains(document.activeElement);
    if (details) details.open = false;
    var newest = deferred[id];
    delete deferred[id];
    if (newest) applyOps([newest]);
    card = document.getElementById(id);
    var summary = card && card.querySelector("summary");
    if (hadFocus && summary) summary.focus();
  }

  root.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.open || !details.matches || !details.matches(".app-card__edit")) return;
    var card = details.closest(".app-card[id]");
    if (card && deferred[card.id]) finishEditing(card.id.replace("card-", ""));
  }, true);

  // A <select data-choices="ID"> offers the options in <template id="ID">. When the server
  // redraws the template (someone joined or left), every such list is refilled, keeping what the
  // person chose and what the form was drawn with wherever those are still offered.
  function refillChoices(source) {
    var lists = root.querySelectorAll('select[data-choices="' + CSS.escape(source.id) + '"]');
    Array.prototype.forEach.call(lists, function (select) {
      var chosen = select.value;
      var drawn = Array.prototype.filter.call(select.options, function (option) {
        return option.defaultSelected;
      }).map(function (option) { return option.value; });
      select.replaceChildren(source.content.cloneNode(true));
      Array.prototype.forEach.call(select.options, function (option) {
        option.defaultSelected = drawn.indexOf(option.value) !== -1;
      });
      select.value = chosen;
      if (select.selectedIndex === -1) select.selectedIndex = 0;   // the one chosen has left
    });
  }

  var operations = {
    upsert: function (op) {
      var element = fragment(op.html);
      var existing = document.getElementById(element.id);
      // A fragment may be the container itself (a block redrawn whole): then it is only
      // replaced. Nor is anything moved into a container inside the element it replaces.
      var container = element.id === op.into ? null : document.getElementById(op.into);
      if (container && existing && existing.contains(container)) container = null;
      if (existing && isBeingEdited(existing)) {
        // Keep the person's half-typed edit; show the new text, and their save will be checked.
        deferred[element.id] = op;
        var shown = existing.querySelector(".app-card__text");
        var newest = element.querySelector(".app-card__text");
        if (shown && newest) shown.textContent = newest.textContent;
        if (container && existing.parentElement !== container) container.appendChild(existing);
        return;
      }
      delete deferred[element.id];
      if (existing) keepOpen(existing, element);
      if (existing) existing.replaceWith(element);
      if (container && element.parentElement !== container) container.appendChild(element);
      if (!document.contains(element)) return;      // nowhere on this page to show it
      prepare(element);
      if (element.tagName === "TEMPLATE") refillChoices(element);
    },
    remove: function (op) {
      var element = document.getElementById(op.id);
      delete deferred[op.id];
      if (!element) return;
      var section = element.closest("section");
      var hadFocus = element.contains(document.activeElement);
      element.remove();
      var heading = section && section.querySelector("h2");
      if (hadFocus && heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    },
    order: function (op) {
      var container = document.getElementById(op.into);
      if (!container) return;
      op.ids.forEach(function (id) {
        var element = document.getElementById(id);
        if (element) container.appendChild(element);
      });
    },
    // What the room is doing changed (agenda.phases): the styles and room.js read these.
    attributes: function (op) {
      var element = document.getElementById(op.id);
      if (!element) return;
      Object.keys(op.values).forEach(function (name) {
        element.setAttribute(name, op.values[name]);
      });
    },
    // The page's whole shape changed (the meeting closed): the server draws it afresh.
    reload: function () { window.location.reload(); }
  };

  function applyOps(ops) {
    var mark = focusMark();
    ops.forEach(function (op) { if (operations[op.op]) operations[op.op](op); });
    restoreFocus(mark);
    // room.js arranges the page for what is new (the section now first, the projector's fit).
    if (ops.length) root.dispatchEvent(new CustomEvent("app:updated", { bubbles: true }));
  }

  function apply(message) {
    if (message.seq <= lastSeq) return;                 // already on the page
    if (message.seq > lastSeq + 1) { catchUp(); return; } // a gap: fetch what is missing first
    applyOps(message.ops || []);
    lastSeq = message.seq;
    root.dataset.seq = String(lastSeq);
    settleUpTo(lastSeq);
    announce(message.announce);
    showSettled();
  }

  // ---- The connection ----------------------------------------------------------------------------

  var socket = io({ auth: projectorToken ? { meeting: meetingId, projector: projectorToken } : {} });

  function catchUp() {
    catchingUp = true;
    var sentAt = Date.now();
    socket.emit("meeting.join", { meeting: meetingId, since: lastSeq }, function (reply) {
      noteServerClock(reply, sentAt);
      joined(reply);
    });
  }

  // How far the server's clock is from this device's, for the agenda's countdown (timer.js):
  // the server read its clock about half the round trip before the answer arrived.
  function noteServerClock(reply, sentAt) {
    if (!reply || typeof reply.now !== "number") return;
    var arrivedAt = Date.now();
    root.dataset.clockOffset = String(Math.round(reply.now + (arrivedAt - sentAt) / 2 - arrivedAt));
  }

  function joined(reply) {
    if (!reply || !reply.ok) {
      setStatus("error", (reply && reply.error) || "Could not join the meeting. Reload the page.");
      return;
    }
    if (reply.reload) { window.location.reload(); return; }
    reply.events.forEach(apply);
    showPresence(reply.presence);
    catchingUp = false;
    var waiting = held;
    held = [];
    waiting.forEach(apply);
    setStatus("online", everConnected ? "Back online. Up to date." : "Connected. Up to date.");
    if (everConnected) retryOwnForms();
    everConnected = true;
    sendNext();
  }

  // A person's own score form that failed to load (the request fell between connections) is
  // fetched again once the page is back and up to date.
  function retryOwnForms() {
    if (!window.htmx) return;
    Array.prototype.forEach.call(root.querySelectorAll(".app-my-score[hx-get]"), function (slot) {
      window.htmx.ajax("GET", slot.getAttribute("hx-get"), { target: slot, swap: "outerHTML" });
    });
  }

  socket.on("connect", catchUp);

  socket.on("meeting.event", function (message) {
    if (message.meeting !== meetingId) return;
    if (catchingUp) { held.push(message); return; }
    apply(message);
  });

  function showPresence(html) {
    var presence = document.getElementById("presence");
    if (presence && html) presence.innerHTML = html;   // server-rendered and escaped
  }

  // One row of "Here now" changed: someone's page opened or closed.
  socket.on("meeting.presence", function (message) {
    if (message.meeting === meetingId && !catchingUp) applyOps(message.ops || []);
  });

  // The chair let someone in, named a minute taker or removed this person: the server decides
  // what this page should now be.
  socket.on("seat.changed", function () { window.location.reload(); });

  socket.on("disconnect", function (reason) {
    catchingUp = true;
    inFlight = null;
    if (reason === "io server disconnect") {     // the server closed it: removed or signed out
      setStatus("error", "This page is no longer connected to the meeting.");
      window.location.reload();
      return;
    }
    showOffline();
  });

  socket.on("connect_error", function (error) {
    if (socket.active) showOffline();
    else setStatus("error", "Could not connect: " + (error && error.message ? error.message : "reload the page."));
  });

  // The chair's htmx buttons (let in, decline, remove…) answer 204; a refusal says why.
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
    var message = plain ? xhr.responseText : "That could not be done. Reload the page and try again.";
    setStatus("error", message);
    announce(message);
  });

  // Anything left unsent from an earlier visit shows as waiting until it goes.
  outbox.forEach(showPending);
  window.setInterval(sendNext, 15000);

  // ---- Small conveniences ------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.dataset.copy);
    var done = function () { button.textContent = "Link copied"; announce("Link copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done);
    } else {
      source.select();
      document.execCommand("copy");
      done();
    }
  });

  prepare(root);
}());
