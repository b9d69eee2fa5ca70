/* The lobby: wait for the chair's answer, then show what the server says this person may see. */
(function () {
  "use strict";
  var lobby = document.getElementById("lobby");
  if (!lobby || typeof io === "undefined") return;
  var status = document.getElementById("lobby-status");
  var socket = io();

  function showBoard() { window.location.assign(lobby.dataset.showUrl); }

  // Asked again on every reconnect: the chair may have answered while this phone was away.
  socket.on("connect", function () {
    socket.emit("lobby.wait", { meeting: Number(lobby.dataset.meeting) }, function (reply) {
      if (!reply || !reply.ok) {
        status.textContent = (reply && reply.error) || "Something went wrong. Reload the page.";
      } else if (reply.status !== "lobby") {
        showBoard();
      } else {
        status.textContent = "Waiting for the chair. You are connected.";
      }
    });
  });
  socket.on("seat.changed", showBoard);
  socket.on("disconnect", function (reason) {
    if (reason === "io server disconnect") { showBoard(); return; }
    status.textContent = "You are offline. Trying to reconnect… Keep this page open.";
  });
  socket.on("connect_error", function (error) {
    status.textContent = socket.active ? "You are offline. Trying to reconnect… Keep this page open." :
      "Could not connect: " + (error && error.message ? error.message : "reload the page.");
  });
}());
