/* The lobby: wait for the chair's answer, then show what the server says this person may see. */
(function () {
  "use strict";
  var lobby = document.getElementById("lobby");
  if (!lobby || typeof io === "undefined") return;
  var status = document.getElementById("lobby-status");
  var socket = io();

  socket.on("connect", function () {
    socket.emit("lobby.wait", { meeting: Number(lobby.dataset.meeting) }, function (reply) {
      if (reply && reply.ok && reply.status !== "lobby") window.location.assign(lobby.dataset.showUrl);
      else status.textContent = "Waiting for the chair. You are connected.";
    });
  });
  socket.on("seat.changed", function () { window.location.assign(lobby.dataset.showUrl); });
  socket.on("disconnect", function () { status.textContent = "Connection lost. Trying again…"; });
}());
