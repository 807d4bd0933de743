// The bundle's entry (web/build.mjs makes dist/tutor-chat.js of it): window.TutorChat.mount(...).
//
// window.WebChat.default(options, element) takes the options of rasa-webchat, the widget this
// page used before, so a site that embedded it keeps its snippet and only changes the script's
// name (docs/channels.md).
import { mount } from "./tutor-chat.js";

function fromWebchatOptions(options = {}) {
  const params = options.params || {};
  return {
    socketUrl: options.socketUrl || null,
    socketPath: options.socketPath || "/socket.io/",
    initPayload: options.initPayload === undefined ? "/greet" : options.initPayload,
    storage: params.storage === "session" ? "session" : "local",
    title: options.title || "Revision tutor",
    subtitle: options.subtitle || "",
    inputHint: options.inputTextFieldHint || "Ask a question, or type “quiz me”",
    customData: options.customData || {},
  };
}

window.TutorChat = { mount };
window.WebChat = {
  default(options, element) {
    const chat = mount(element, fromWebchatOptions(options));
    if (options && options.innerRef && typeof options.innerRef === "object") {
      options.innerRef.current = { sendMessage: (payload, shown) => chat.send(payload, shown) };
    }
    return chat;
  },
};
