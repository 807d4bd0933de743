// TutorChat: a small, accessible chat client for Rasa's socket.io channel.
//
// The conversation is a role="log" live region (polite), so screen readers read each reply;
// quick replies (quiz options, suggestions) are real <button>s that Tab reaches and Enter or
// Space presses; the input has a label and the send button a name. The session id and the
// conversation are kept in localStorage, and Rasa's socket.io channel (session_persistence: true)
// carries on with the same tracker after a reload.
//
// Protocol (Rasa's socketio channel): on connect, emit "session_request" {session_id}; the
// server answers "session_confirm" with the id. Messages go out as "user_uttered"
// {message, session_id, customData}; replies come as "bot_uttered" {text, quick_replies}.
import { io } from "socket.io-client";
import { renderMarkdown } from "./markdown.js";

const DEFAULTS = {
  socketUrl: null, // the Rasa server; null: the page's own origin
  socketPath: "/socket.io/",
  initPayload: "/greet", // sent once, when a conversation starts
  // A learner back after this many minutes away is greeted again (the greeting says what is due
  // for review). 120 is Rasa's session_expiration_time (bot/domain.yml); 0: never.
  greetAgainAfter: 120,
  storage: "local", // "local" keeps the conversation across reloads and visits; "session" per tab
  storageKey: "tutor-chat",
  title: "Revision tutor",
  subtitle: "",
  headingLevel: 2,
  inputLabel: "Your message",
  inputHint: "Ask a question, or type “quiz me”",
  sendLabel: "Send",
  customData: {},
  userMessageEvent: "user_uttered",
  botMessageEvent: "bot_uttered",
  maxStoredMessages: 300,
  onStatus: null, // (state, detail): state is "connecting", "ok" or "error"
};

let instances = 0;

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of [].concat(children)) if (child) node.append(child);
  return node;
}

function openStorage(kind) {
  try {
    const store = kind === "session" ? window.sessionStorage : window.localStorage;
    const probe = "__tutor_chat_probe__";
    store.setItem(probe, probe);
    store.removeItem(probe);
    return store;
  } catch {
    return null; // storage blocked: the conversation lasts as long as the page
  }
}

/** The buttons of a bot message, in Rasa's socket.io form (quick_replies) or as plain buttons. */
function buttonsOf(message) {
  const list = Array.isArray(message.quick_replies) ? message.quick_replies : message.buttons;
  if (!Array.isArray(list)) return [];
  return list
    .filter((b) => b && typeof b.title === "string")
    .map((b) => ({ title: b.title, payload: typeof b.payload === "string" ? b.payload : b.title }));
}

/**
 * Mounts the chat in ``container`` and returns {send(payload, shown), element, socket, destroy()}.
 */
export function mount(container, options = {}) {
  const opts = { ...DEFAULTS, ...options };
  const n = ++instances;
  const ids = { title: `tc-title-${n}`, input: `tc-input-${n}`, hint: `tc-hint-${n}` };
  const store = openStorage(opts.storage);
  const state = load();
  let confirmed = false; // session_confirm received on the current connection
  const pending = []; // messages typed before the session was confirmed
  let typingTimer = null;

  // --- the DOM ----------------------------------------------------------------------------------
  const level = Math.min(6, Math.max(1, Number(opts.headingLevel) || 2));
  const header = el("div", { className: "tc-header" }, [
    el(`h${level}`, { className: "tc-title", id: ids.title, text: opts.title }),
    opts.subtitle ? el("p", { className: "tc-subtitle", text: opts.subtitle }) : null,
  ]);
  const log = el("div", {
    className: "tc-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions text",
    "aria-labelledby": ids.title,
    tabindex: "0", // so keyboard users can scroll a long conversation
  });
  const typing = el("div", { className: "tc-typing", "aria-hidden": "true", hidden: true }, [
    el("span"), el("span"), el("span"),
  ]);
  const input = el("input", {
    className: "tc-input",
    id: ids.input,
    type: "text",
    autocomplete: "off",
    enterkeyhint: "send",
    placeholder: opts.inputHint,
    "aria-describedby": ids.hint,
  });
  const send = el("button", { className: "tc-send", type: "submit", text: opts.sendLabel });
  const form = el("form", { className: "tc-form" }, [
    el("label", { className: "tc-label", for: ids.input, text: opts.inputLabel }),
    el("div", { className: "tc-row" }, [input, send]),
    el("p", {
      className: "tc-sr",
      id: ids.hint,
      text: "Answer options, when the tutor offers them, are buttons just before this box.",
    }),
  ]);
  const root = el("div", { className: "tc" }, [header, log, typing, form]);
  // The stored conversation goes in before the log is on the page: a live region announces only
  // what is added later, so a reload does not read the whole conversation out again.
  state.messages.forEach((message, i) => log.append(renderMessage(message, i === state.messages.length - 1)));
  container.append(root);
  scrollToEnd();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    input.value = "";
    sendMessage(text, text);
  });

  // --- the connection ---------------------------------------------------------------------------
  status("connecting");
  const socket = io(opts.socketUrl || undefined, { path: opts.socketPath });
  socket.on("connect", () => {
    confirmed = false;
    socket.emit("session_request", { session_id: state.sessionId });
  });
  socket.on("session_confirm", (data) => {
    const id = data && typeof data === "object" ? data.session_id : data;
    if (!id) return;
    if (id !== state.sessionId) {
      // A new conversation (the server did not keep the one stored here).
      state.sessionId = String(id);
      state.greeted = false;
      state.messages = [];
      log.replaceChildren();
      save();
    }
    confirmed = true;
    status("ok");
    const away = Date.now() - state.lastSeen; // a learner back after a while is greeted again
    const returning =
      state.messages.length > 0 && opts.greetAgainAfter > 0 && away >= opts.greetAgainAfter * 60_000;
    if (opts.initPayload && ((!state.greeted && state.messages.length === 0) || returning)) {
      emit(opts.initPayload);
      state.lastSeen = Date.now();
    }
    state.greeted = true;
    save();
    while (pending.length) emit(pending.shift());
  });
  socket.on(opts.botMessageEvent, (message) => {
    if (!message || typeof message !== "object") return;
    const text = typeof message.text === "string" ? message.text : "";
    const buttons = buttonsOf(message);
    if (!text && !buttons.length) return;
    addMessage({ from: "bot", text, buttons });
    setTyping(false);
  });
  socket.on("connect_error", (error) => status("error", error && error.message));
  socket.on("disconnect", () => {
    confirmed = false;
    status("error", "disconnected");
  });

  function emit(payload) {
    socket.emit(opts.userMessageEvent, {
      message: payload,
      session_id: state.sessionId,
      customData: opts.customData,
    });
  }

  /** Sends ``payload`` to the tutor and shows ``shown`` (a button's title) as what was said. */
  function sendMessage(payload, shown = payload) {
    addMessage({ from: "user", text: shown });
    setTyping(true);
    if (confirmed) emit(payload);
    else pending.push(payload);
  }

  // --- messages ---------------------------------------------------------------------------------
  function addMessage(message) {
    if (message.from === "user") clearOptions();
    state.messages.push(message);
    state.lastSeen = Date.now();
    if (state.messages.length > opts.maxStoredMessages) {
      state.messages.splice(0, state.messages.length - opts.maxStoredMessages);
    }
    save();
    log.append(renderMessage(message, true));
    scrollToEnd();
  }

  function renderMessage(message, withOptions) {
    const fromBot = message.from === "bot";
    const bubble = el("div", { className: "tc-bubble" });
    if (fromBot) bubble.innerHTML = renderMarkdown(message.text);
    else bubble.textContent = message.text;
    const node = el("div", { className: `tc-msg tc-msg--${fromBot ? "bot" : "user"}`, "data-from": message.from }, [
      el("span", { className: "tc-sr", text: fromBot ? "Tutor: " : "You: " }),
      message.text ? bubble : null,
    ]);
    if (fromBot && withOptions && message.buttons && message.buttons.length) {
      const group = el("div", { className: "tc-options", role: "group", "aria-label": "Reply options" });
      for (const button of message.buttons) {
        const b = el("button", { className: "tc-option", type: "button", text: button.title });
        b.addEventListener("click", () => sendMessage(button.payload, button.title));
        group.append(b);
      }
      node.append(group);
    }
    return node;
  }

  /** Once the learner says something, earlier options are spent: remove them, keep focus nearby. */
  function clearOptions() {
    const groups = log.querySelectorAll(".tc-options");
    if (!groups.length) return;
    if (root.contains(document.activeElement) && document.activeElement.closest(".tc-options")) {
      input.focus();
    }
    groups.forEach((group) => group.remove());
    for (const message of state.messages) delete message.buttons;
  }

  function setTyping(on) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) {
      typingTimer = setTimeout(() => (typing.hidden = true), 60_000);
      scrollToEnd();
    }
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  // --- storage and status -----------------------------------------------------------------------
  function load() {
    const empty = { sessionId: null, greeted: false, messages: [], lastSeen: 0 };
    if (!store) return empty;
    try {
      const saved = JSON.parse(store.getItem(opts.storageKey) || "null");
      if (!saved || typeof saved !== "object" || !Array.isArray(saved.messages)) return empty;
      const messages = saved.messages.filter(
        (m) => m && (m.from === "bot" || m.from === "user") && typeof m.text === "string",
      );
      const lastSeen = Number(saved.lastSeen) || 0; // when the learner last chatted (ms since 1970)
      return { sessionId: saved.sessionId || null, greeted: Boolean(saved.greeted), messages, lastSeen };
    } catch {
      return empty;
    }
  }

  function save() {
    if (!store) return;
    try {
      store.setItem(opts.storageKey, JSON.stringify(state));
    } catch {
      // full or blocked: the conversation still goes on, it just won't survive a reload
    }
  }

  function status(value, detail) {
    root.dataset.status = value;
    if (typeof opts.onStatus === "function") opts.onStatus(value, detail);
  }

  return {
    element: root,
    socket,
    send: sendMessage,
    destroy() {
      socket.close();
      root.remove();
    },
  };
}
