// Mounts the rasa-webchat widget in the page, talking to Rasa's socket.io channel.
(function () {
  "use strict";

  var config = window.TUTOR_CONFIG || {};
  var socketUrl =
    config.socketUrl || window.location.protocol + "//" + window.location.hostname + ":" + (config.rasaPort || 5005);
  var status = document.getElementById("status");
  var webchat = { current: null }; // filled by the widget: lets the example buttons send messages

  function setStatus(text, state) {
    status.textContent = text;
    status.dataset.state = state;
  }

  window.WebChat.default(
    {
      socketUrl: socketUrl,
      socketPath: "/socket.io/",
      // Kept in localStorage with the session id: a reload shows the conversation and Rasa
      // (socketio with session_persistence: true) carries on with the same tracker.
      params: { storage: "local" },
      customData: { language: "en" },
      initPayload: "/greet",
      embedded: true,
      withRules: false,
      hideWhenNotConnected: false,
      title: "Revision tutor",
      subtitle: "Customer-service courses",
      inputTextFieldHint: "Ask a question, or type “quiz me”",
      connectingText: "Connecting…",
      showMessageDate: false,
      mainColor: "#0f5e6e",
      userBackgroundColor: "#0f5e6e",
      userTextColor: "#ffffff",
      assistBackgoundColor: "#ffffff", // sic: rasa-webchat's prop name
      assistTextColor: "#1d2a33",
      customMessageDelay: function () {
        return 300;
      },
      innerRef: webchat,
      onSocketEvent: {
        connect: function () {
          setStatus("Connected to the tutor.", "ok");
        },
        connect_error: function () {
          setStatus("Cannot reach the tutor at " + socketUrl + ". Is it running (make run)?", "error");
        },
        disconnect: function () {
          setStatus("Connection lost; reconnecting…", "error");
        },
      },
    },
    document.getElementById("webchat")
  );

  document.getElementById("examples").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-say]");
    if (button && webchat.current && webchat.current.sendMessage) {
      webchat.current.sendMessage(button.dataset.say, button.dataset.say); // payload, shown text
    }
  });
})();
