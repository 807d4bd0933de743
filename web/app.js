// Mounts the chat client (dist/tutor-chat.js, built from src/) in the page, talking to Rasa's
// socket.io channel, and lets the example questions send themselves.
(function () {
  "use strict";

  var config = window.TUTOR_CONFIG || {};
  var socketUrl =
    config.socketUrl || window.location.protocol + "//" + window.location.hostname + ":" + (config.rasaPort || 5005);
  var status = document.getElementById("status");
  var STATUS = {
    connecting: ["Connecting to the tutor…", "connecting"],
    ok: ["Connected to the tutor.", "ok"],
    error: ["Cannot reach the tutor at " + socketUrl + ". Is it running (make run)? Retrying…", "error"],
  };

  function setStatus(state) {
    var shown = STATUS[state] || STATUS.connecting;
    if (status.textContent !== shown[0]) status.textContent = shown[0];
    status.dataset.state = shown[1];
  }

  var chat = window.TutorChat.mount(document.getElementById("chat"), {
    socketUrl: socketUrl,
    socketPath: "/socket.io/",
    // Kept in localStorage with the session id: a reload shows the conversation and Rasa
    // (socketio with session_persistence: true) carries on with the same tracker.
    storage: "local",
    initPayload: "/greet",
    customData: { language: "en" },
    title: "Revision tutor",
    subtitle: "Customer-service courses",
    inputLabel: "Your message",
    inputHint: "Ask a question, or type “quiz me”",
    onStatus: setStatus,
  });

  document.getElementById("examples").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-say]");
    if (button) chat.send(button.dataset.say, button.dataset.say); // payload, shown text
  });
})();
