/* Lambdesk chat: <lambdesk-chat> (customers) and <lambdesk-agent-chat> (the agent console). Plain custom
   elements, no framework, no build step. Text is only ever set with textContent: a message cannot inject HTML.
   Protocol and behaviour: docs/decisions/043-chat.md. */
(function () {
  "use strict";
  var PING_MS = 240000, PING_WAITING_MS = 20000, RENEW_MS = 110 * 60000, POLL_MS = 3000, TYPING_MS = 3000;
  var MAX_TRIES = 5;
  var TEXT = {
    en: { open: "Chat with us", close: "Close chat", title: "Chat", name: "Your name", email: "Email",
      message: "Message", start: "Start chat", send: "Send", end: "End chat", transcript: "Email me the transcript",
      offline: "Nobody can chat right now. Leave a message and we will answer by email.", leave: "Send message",
      thanks: "Thank you. We will answer by email.", queue: "You are number {n} in line.", waiting: "Connecting you to an agent…",
      joined: "{name} joined the chat.", ended: "The chat has ended.", typing: "The agent is typing…",
      reconnecting: "Reconnecting…", polling: "Live connection lost: checking for new messages every few seconds.",
      you: "You", agent: "Agent", sent: "Transcript sent to {to}.", failed: "That did not work. Please try again.",
      needEmail: "Enter your email address so we can answer.", customer: "Customer", accept: "Accept", queueEmpty: "Nobody is waiting.",
      offered: "A customer is waiting for you: accept the chat below.", customerTyping: "The customer is typing…" },
    ru: { open: "Чат с нами", close: "Закрыть чат", title: "Чат", name: "Ваше имя", email: "Эл. почта",
      message: "Сообщение", start: "Начать чат", send: "Отправить", end: "Завершить чат", transcript: "Прислать переписку на почту",
      offline: "Сейчас никто не может ответить в чате. Оставьте сообщение — мы ответим по почте.", leave: "Отправить сообщение",
      thanks: "Спасибо. Мы ответим по почте.", queue: "Вы {n}-й в очереди.", waiting: "Соединяем с оператором…",
      joined: "{name} в чате.", ended: "Чат завершён.", typing: "Оператор печатает…",
      reconnecting: "Восстанавливаем соединение…", polling: "Соединение потеряно: проверяем новые сообщения каждые несколько секунд.",
      you: "Вы", agent: "Оператор", sent: "Переписка отправлена на {to}.", failed: "Не получилось. Попробуйте ещё раз.",
      needEmail: "Укажите почту, чтобы мы могли ответить.", customer: "Клиент", accept: "Принять", queueEmpty: "Никто не ждёт.",
      offered: "Клиент ждёт ответа: примите чат ниже.", customerTyping: "Клиент печатает…" }
  };
  function t(key, values) {
    var lang = (document.documentElement.lang || "en").slice(0, 2);
    var text = (TEXT[lang] || TEXT.en)[key] || TEXT.en[key];
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "c-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  var counter = 0;
  function field(form, name, label, kind, required) {
    var id = "lambdesk-chat-" + name + "-" + (++counter);
    var wrap = el("p", { "class": "lc-field" });
    wrap.appendChild(el("label", { "for": id }, label));
    var input = el(kind === "textarea" ? "textarea" : "input", { id: id, name: name });
    if (kind !== "textarea") { input.setAttribute("type", kind); }
    if (kind === "textarea") { input.setAttribute("rows", "3"); }
    if (required) { input.setAttribute("required", ""); }
    wrap.appendChild(input);
    form.appendChild(wrap);
    return input;
  }

  /* A message into its log in seq order (a resume after a reconnect and a live push can interleave), the log
     scrolled to its end. */
  function seqOf(item) {
    var key = item.getAttribute("data-key") || "";
    return key.indexOf("seq-") === 0 ? Number(key.slice(4)) : 0;
  }
  function place(log, item) {
    var seq = seqOf(item);
    var later = seq ? Array.prototype.find.call(log.querySelectorAll('[data-key^="seq-"]'), function (other) { return seqOf(other) > seq; }) : null;
    if (later) { log.insertBefore(item, later); } else { log.appendChild(item); }
    log.scrollTop = log.scrollHeight;  /* the newest in view */
  }

  /* A sent message is acknowledged with its seq. The same message may have reached another of the sender's
     sockets first (two open during a reconnect) and been shown from there: it is shown once. */
  function confirm(log, key, seq) {
    var item = log.querySelector('[data-key="' + key + '"]');
    if (!item) { return; }
    var echo = log.querySelector('[data-key="seq-' + seq + '"]');
    if (echo) { echo.remove(); }
    item.classList.remove("lc-pending");
    item.setAttribute("data-key", "seq-" + seq);
  }

  /* One conversation over one socket: seq bookkeeping, resume, pings, reconnect with backoff, polling. */
  function Conversation(view, api, getToken, side) {
    this.view = view; this.api = api; this.getToken = getToken; this.side = side;
    this.id = null; this.secret = null; this.lastSeq = 0; this.shown = {}; this.pending = {};
    this.socket = null; this.tries = 0; this.polling = null; this.timers = {};
  }
  Conversation.prototype.save = function () {
    if (this.side !== "customer") { return; }
    try { sessionStorage.setItem("lambdesk-chat", JSON.stringify({ id: this.id, secret: this.secret, lastSeq: this.lastSeq })); } catch (e) { /* private mode */ }
  };
  Conversation.prototype.connect = function (url) {
    var self = this;
    clearTimeout(this.timers.retry);
    var socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = function () {
      self.tries = 0;
      self.stopPolling();
      self.view.status("");
      if (self.id) { self.frame({ action: "resume", conversation: self.id, since: self.lastSeq }); }
      Object.keys(self.pending).forEach(function (cid) { self.frame(self.pending[cid]); });
      self.schedulePing();
      clearTimeout(self.timers.renew);
      self.timers.renew = setTimeout(function () { self.renew(); }, RENEW_MS);  /* API Gateway closes at 2 h */
    };
    socket.onmessage = function (event) { self.receive(JSON.parse(event.data)); };
    socket.onclose = function () { if (self.socket === socket) { self.socket = null; self.retry(); } };
  };
  Conversation.prototype.renew = function () {
    var old = this.socket;
    this.socket = null;
    if (old) { old.onclose = null; old.close(); }
    this.reconnect();
  };
  Conversation.prototype.reconnect = function () {
    var self = this;
    return this.getToken(this).then(function (url) { self.connect(url); }, function () { self.retry(); });
  };
  Conversation.prototype.retry = function () {
    var self = this;
    if (this.ended) { return; }
    this.tries += 1;
    if (this.tries > MAX_TRIES) { this.startPolling(); }
    this.view.status(this.polling ? t("polling") : t("reconnecting"));
    var base = Math.min(30000, 1000 * Math.pow(2, Math.min(this.tries, 5)));
    var delay = this.polling ? 60000 : base * (0.5 + Math.random());  /* backoff with jitter */
    this.timers.retry = setTimeout(function () { self.reconnect(); }, delay);
  };
  Conversation.prototype.schedulePing = function () {
    var self = this;
    clearTimeout(this.timers.ping);
    var every = this.waiting ? PING_WAITING_MS : PING_MS;  /* under API Gateway's 10-minute idle limit */
    this.timers.ping = setTimeout(function () { self.frame({ action: "ping" }); self.schedulePing(); }, every);
  };
  Conversation.prototype.frame = function (frame) {
    if (this.socket && this.socket.readyState === 1) { this.socket.send(JSON.stringify(frame)); return true; }
    return false;
  };
  Conversation.prototype.visible = function () {
    if (this.socket && this.socket.readyState === 1) { this.frame({ action: "resume", conversation: this.id, since: this.lastSeq }); }
    else if (!this.ended && this.id) { this.tries = 0; this.reconnect(); }
  };
  Conversation.prototype.send = function (body) {
    var frame = { action: "send", conversation: this.id, client_id: uuid(), body: body };
    this.pending[frame.client_id] = frame;
    this.view.message("pending-" + frame.client_id, this.side, body, true);
    if (!this.frame(frame) && this.polling) { this.sendByPost(frame); }
  };
  Conversation.prototype.sendByPost = function (frame) {
    var self = this;
    this.api("POST", "/v1/chat/conversations/" + this.id + "/messages", { client_id: frame.client_id, body: frame.body }, this.secret)
      .then(function (ack) { self.receive({ type: "ack", client_id: ack.client_id, seq: ack.seq }); });
  };
  Conversation.prototype.startPolling = function () {
    var self = this;
    if (this.polling || !this.secret) { return; }
    this.polling = setInterval(function () {
      self.api("GET", "/v1/chat/conversations/" + self.id + "/events?since=" + self.lastSeq, null, self.secret).then(function (page) {
        page.events.forEach(function (e) {
          self.receive(e.type === "message" ? { type: "message", seq: e.seq, author: e.author, body: e.body }
            : Object.assign({ type: e.type, seq: e.seq }, e.data));
        });
        Object.keys(self.pending).forEach(function (cid) { self.sendByPost(self.pending[cid]); });
      });
    }, POLL_MS);
  };
  Conversation.prototype.stopPolling = function () { clearInterval(this.polling); this.polling = null; };
  Conversation.prototype.seen = function (seq) {
    if (!seq) { return false; }
    if (this.shown[seq]) { return true; }
    this.shown[seq] = true;
    if (seq > this.lastSeq) { this.lastSeq = seq; this.save(); }
    return false;
  };
  Conversation.prototype.receive = function (f) {
    if (f.conversation && this.id && f.conversation !== this.id) { return; }
    if (f.type === "ack") {
      var sent = this.pending[f.client_id];
      delete this.pending[f.client_id];
      if (sent) { this.seen(f.seq); this.view.confirm("pending-" + f.client_id, f.seq); }
    } else if (f.type === "message") {
      if (!this.seen(f.seq)) { this.view.message("seq-" + f.seq, f.author, f.body, false); }
    } else if (f.type === "typing") {
      this.view.typing();
    } else if (f.type === "queue") {
      this.waiting = true; this.schedulePing();
      this.view.status(t("queue", { n: f.position }));
    } else if (f.type === "status") {
      if (f.seq && this.seen(f.seq)) { return; }
      this.state(f);
    }
  };
  Conversation.prototype.state = function (f) {
    if (f.state === "active" && f.agent) { this.waiting = false; this.view.note(t("joined", { name: f.agent })); this.view.status(""); }
    if (f.state === "ended") { this.ended = true; this.view.note(t("ended")); this.view.ended(); this.close(); }
    if (f.state === "queued" || f.state === "ringing") { this.waiting = true; this.view.status(t("waiting")); }
  };
  Conversation.prototype.close = function () {
    Object.keys(this.timers).forEach(function (k) { clearTimeout(this.timers[k]); }, this);
    this.stopPolling();
    if (this.socket) { this.socket.onclose = null; this.socket.close(); this.socket = null; }
  };

  /* The customer's widget. */
  class ChatElement extends HTMLElement {}
  ChatElement.prototype.connectedCallback = function () {
    if (this.built) { return; }
    this.built = true;
    this.base = (this.getAttribute("api") || "").replace(/\/$/, "");
    this.classList.add("lc");
    var panelId = "lambdesk-chat-panel-" + (++counter);
    this.launcher = el("button", { type: "button", "class": "lc-launcher", "aria-expanded": "false", "aria-controls": panelId }, t("open"));
    this.panel = el("section", { id: panelId, "class": "lc-panel", "aria-label": t("title"), hidden: "" });
    var head = el("div", { "class": "lc-head" });
    head.appendChild(el("h2", { "class": "lc-title" }, t("title")));
    this.closer = el("button", { type: "button", "class": "lc-close", "aria-label": t("close") }, "×");
    head.appendChild(this.closer);
    this.panel.appendChild(head);
    // A list (role="log" would take the list role from its items) that announces additions, and that a keyboard
    // user can focus to scroll back through the conversation.
    this.log = el("ol", { "class": "lc-log", "aria-label": t("title"), tabindex: "0", "aria-live": "polite", "aria-relevant": "additions" });
    this.statusLine = el("p", { "class": "lc-status", role: "status" });
    this.typingLine = el("p", { "class": "lc-typing", "aria-live": "polite" });
    this.body = el("div", { "class": "lc-body" });
    this.panel.appendChild(this.log); this.panel.appendChild(this.statusLine); this.panel.appendChild(this.typingLine);
    this.panel.appendChild(this.body);
    this.appendChild(this.launcher); this.appendChild(this.panel);
    var self = this;
    this.launcher.addEventListener("click", function () { self.toggle(true); });
    this.closer.addEventListener("click", function () { self.toggle(false); });
    document.addEventListener("visibilitychange", function () { if (!document.hidden && self.chat) { self.chat.visible(); } });
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem("lambdesk-chat") || "null"); } catch (e) { saved = null; }
    if (saved && saved.id) { this.toggle(true, true); this.resume(saved); }
  };
  ChatElement.prototype.toggle = function (open, quiet) {
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", String(open));
    this.launcher.hidden = open;
    if (open && !this.chat && !this.formShown && !quiet) { this.begin(); }
    if (open) { var first = this.panel.querySelector("input, textarea, button.lc-close"); if (first) { first.focus(); } }
    else { this.launcher.focus(); }
  };
  ChatElement.prototype.api = function (method, path, body, secret) {
    var headers = { "Content-Type": "application/json" };
    if (secret) { headers["X-Chat-Token"] = secret; }
    return fetch(this.base + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); });
  };
  ChatElement.prototype.begin = function () {
    var self = this;
    this.api("GET", "/v1/chat/availability").then(function (a) { self.startForm(a.status === "offline"); },
      function () { self.startForm(false); });
  };
  ChatElement.prototype.startForm = function (offline) {
    var self = this;
    this.formShown = true;
    this.body.textContent = "";
    var form = el("form", { "class": "lc-form", novalidate: "" });
    if (offline) { form.appendChild(el("p", { "class": "lc-offline" }, t("offline"))); }
    // A signed-in customer is known by the portal's session (the server reads it): no name, no address.
    var known = this.hasAttribute("signed-in");
    var name = known ? null : field(form, "name", t("name"), "text", false);
    var email = known ? null : field(form, "email", t("email"), "email", offline);
    var message = field(form, "message", t("message"), "textarea", offline);
    if (name) { name.setAttribute("autocomplete", "name"); }
    if (email) { email.setAttribute("autocomplete", "email"); }
    form.appendChild(el("button", { type: "submit", "class": "lc-button" }, offline ? t("leave") : t("start")));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { name: name ? name.value : "", message: message.value };
      if (email && email.value) { body.email = email.value; }
      self.api("POST", "/v1/chat/conversations", body).then(function (started) {
        if (started.offline && started.ticket_id) { self.body.textContent = ""; self.body.appendChild(el("p", { role: "status" }, t("thanks"))); }
        else if (started.offline) { self.startForm(true); self.status(t("needEmail")); }
        else { self.chatting(started, message.value); }
      }, function () { self.status(t("failed")); });
    });
    this.body.appendChild(form);
    (name || message).focus();
  };
  ChatElement.prototype.chatting = function (started, first) {
    var self = this;
    this.resume({ id: started.conversation_id, secret: started.resume_token, lastSeq: 0 }, started.ws_url);
    if (first && first.trim()) { this.chat.seen(1); this.message("seq-1", "customer", first.trim(), false); }
    this.status(t("waiting"));
  };
  ChatElement.prototype.resume = function (saved, wsUrl) {
    var self = this;
    var chat = new Conversation(this, this.api.bind(this), function (c) {
      return self.api("POST", "/v1/chat/conversations/" + c.id + "/connect", null, c.secret).then(function (r) { return r.ws_url; });
    }, "customer");
    chat.id = saved.id; chat.secret = saved.secret; chat.lastSeq = 0;
    this.chat = chat;
    chat.save();
    this.composer();
    if (wsUrl) { chat.connect(wsUrl); } else { chat.reconnect(); }
  };
  ChatElement.prototype.composer = function () {
    var self = this;
    this.body.textContent = "";
    var form = el("form", { "class": "lc-form lc-composer" });
    var text = field(form, "body", t("message"), "textarea", true);
    var lastTyping = 0;
    text.addEventListener("input", function () {
      if (Date.now() - lastTyping > TYPING_MS) { lastTyping = Date.now(); self.chat.frame({ action: "typing", conversation: self.chat.id }); }
    });
    text.addEventListener("keydown", function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });
    var actions = el("div", { "class": "lc-actions" });
    actions.appendChild(el("button", { type: "submit", "class": "lc-button" }, t("send")));
    var end = el("button", { type: "button", "class": "lc-link" }, t("end"));
    var mail = el("button", { type: "button", "class": "lc-link" }, t("transcript"));
    actions.appendChild(end); actions.appendChild(mail);
    form.appendChild(actions);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = text.value.trim();
      if (!body || self.chat.ended) { return; }
      self.chat.send(body);
      text.value = "";
    });
    end.addEventListener("click", function () {
      if (!self.chat.frame({ action: "end", conversation: self.chat.id })) {
        self.api("POST", "/v1/chat/conversations/" + self.chat.id + "/end", null, self.chat.secret)
          .then(function () { self.chat.state({ state: "ended" }); });
      }
    });
    mail.addEventListener("click", function () {
      self.api("POST", "/v1/chat/conversations/" + self.chat.id + "/transcript", null, self.chat.secret)
        .then(function (r) { self.status(t("sent", { to: r.sent_to })); }, function () { self.status(t("failed")); });
    });
    this.body.appendChild(form);
  };
  ChatElement.prototype.message = function (key, author, body, pending) {
    var item = el("li", { "class": "lc-msg lc-" + author + (pending ? " lc-pending" : ""), "data-key": key });
    item.appendChild(el("span", { "class": "lc-who" }, author === "customer" ? t("you") : t("agent")));
    item.appendChild(el("span", { "class": "lc-text" }, body));
    place(this.log, item);
    this.typingLine.textContent = "";
  };
  ChatElement.prototype.confirm = function (key, seq) { confirm(this.log, key, seq); };
  ChatElement.prototype.note = function (text) { this.log.appendChild(el("li", { "class": "lc-note" }, text)); };
  ChatElement.prototype.status = function (text) { this.statusLine.textContent = text; };
  ChatElement.prototype.typing = function () {
    var self = this;
    this.typingLine.textContent = t("typing");
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(function () { self.typingLine.textContent = ""; }, TYPING_MS * 2);
  };
  ChatElement.prototype.ended = function () {
    try { sessionStorage.removeItem("lambdesk-chat"); } catch (e) { /* private mode */ }
    var composer = this.body.querySelector(".lc-composer textarea");
    if (composer) { composer.disabled = true; }
  };
  if (!customElements.get("lambdesk-chat")) { customElements.define("lambdesk-chat", ChatElement); }
  window.LambdeskChat = { Conversation: Conversation, el: el, t: t, field: field, place: place, confirm: confirm };
})();
