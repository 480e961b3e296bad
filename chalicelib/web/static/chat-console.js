/* Lambdesk agent chat console: <lambdesk-agent-chat>, one socket for the agent (same protocol as the widget,
   an agent connect token). The line is listed by the page (htmx); this element accepts chats and answers. */
(function () {
  "use strict";
  var C = window.LambdeskChat, el = C.el, t = C.t;
  var PING_MS = 30000;  /* the heartbeat that keeps the agent available (fresh for 2 minutes) */
  class AgentChat extends HTMLElement {
    connectedCallback() {
      if (this.built) { return; }
      this.built = true;
      this.chats = {}; this.tries = 0; this.pending = {};
      this.statusLine = el("p", { "class": "lc-status", role: "status" });
      this.list = el("div", { "class": "lc-agent-chats" });
      this.appendChild(this.statusLine); this.appendChild(this.list);
      var self = this;
      document.addEventListener("click", function (event) {
        var button = event.target.closest("[data-accept]");
        if (button) { event.preventDefault(); self.accept(button.getAttribute("data-accept")); }
      });
      document.addEventListener("visibilitychange", function () {
        if (!document.hidden) { Object.keys(self.chats).forEach(function (id) { self.resume(id); }); }
      });
      this.open();
    }
    token() {
      var csrf = this.getAttribute("csrf");
      return fetch(this.getAttribute("token-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "csrf_token=" + encodeURIComponent(csrf)
      }).then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); });
    }
    open() {
      var self = this;
      this.token().then(function (r) {
        var socket = new WebSocket(r.ws_url);
        self.socket = socket;
        socket.onopen = function () {
          self.tries = 0; self.statusLine.textContent = "";
          self.send({ action: "ping" });
          Object.keys(self.chats).forEach(function (id) { self.resume(id); });
          Object.keys(self.pending).forEach(function (cid) { self.send(self.pending[cid]); });
          clearInterval(self.pinger);
          self.pinger = setInterval(function () { self.send({ action: "ping" }); }, PING_MS);
        };
        socket.onmessage = function (event) { self.receive(JSON.parse(event.data)); };
        socket.onclose = function () { if (self.socket === socket) { self.socket = null; self.retry(); } };
      }, function () { self.retry(); });
    }
    retry() {
      var self = this;
      this.tries += 1;
      this.statusLine.textContent = t("reconnecting");
      var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(this.tries, 5))) * (0.5 + Math.random());
      setTimeout(function () { self.open(); }, delay);
    }
    send(frame) {
      if (this.socket && this.socket.readyState === 1) { this.socket.send(JSON.stringify(frame)); return true; }
      return false;
    }
    accept(id) { this.send({ action: "accept", conversation: id }); this.statusLine.textContent = ""; this.chat(id); }
    resume(id) { this.send({ action: "resume", conversation: id, since: this.chats[id].lastSeq }); }
    chat(id) {
      if (this.chats[id]) { return this.chats[id]; }
      var self = this;
      var box = el("section", { "class": "lc-agent-chat", "aria-label": t("title") + " " + id.slice(-6) });
      box.appendChild(el("h2", {}, t("customer") + " · " + id.slice(-6)));
      var log = el("ol", { "class": "lc-log", "aria-label": t("title"), tabindex: "0", "aria-live": "polite" });
      var typing = el("p", { "class": "lc-typing", "aria-live": "polite" });
      var form = el("form", { "class": "lc-form lc-composer" });
      var text = C.field(form, "body", t("message"), "textarea", true);
      var actions = el("div", { "class": "lc-actions" });
      actions.appendChild(el("button", { type: "submit", "class": "lc-button" }, t("send")));
      var end = el("button", { type: "button", "class": "lc-link" }, t("end"));
      actions.appendChild(end);
      form.appendChild(actions);
      var last = 0;
      text.addEventListener("input", function () {
        if (Date.now() - last > 3000) { last = Date.now(); self.send({ action: "typing", conversation: id }); }
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = text.value.trim();
        if (!body) { return; }
        var frame = { action: "send", conversation: id, client_id: (crypto.randomUUID ? crypto.randomUUID() : "a-" + Date.now()), body: body };
        self.pending[frame.client_id] = frame;
        self.add(id, "pending-" + frame.client_id, "agent", body);
        self.send(frame);
        text.value = "";
      });
      end.addEventListener("click", function () { self.send({ action: "end", conversation: id }); });
      box.appendChild(log); box.appendChild(typing); box.appendChild(form);
      this.list.appendChild(box);
      this.chats[id] = { box: box, log: log, typing: typing, lastSeq: 0, shown: {} };
      this.resume(id);
      return this.chats[id];
    }
    add(id, key, author, body) {
      var c = this.chat(id);
      var item = el("li", { "class": "lc-msg lc-" + author, "data-key": key });
      item.appendChild(el("span", { "class": "lc-who" }, author === "agent" ? t("you") : t("customer")));
      item.appendChild(el("span", { "class": "lc-text" }, body));
      C.place(c.log, item);
      c.typing.textContent = "";
    }
    seen(id, seq) {
      var c = this.chat(id);
      if (c.shown[seq]) { return true; }
      c.shown[seq] = true;
      if (seq > c.lastSeq) { c.lastSeq = seq; }
      return false;
    }
    receive(f) {
      if (f.type === "ack") {
        var frame = this.pending[f.client_id];
        delete this.pending[f.client_id];
        if (frame) {
          this.seen(frame.conversation, f.seq);
          C.confirm(this.chat(frame.conversation).log, "pending-" + f.client_id, f.seq);
        }
      } else if (f.type === "message" && this.chats[f.conversation]) {
        if (!this.seen(f.conversation, f.seq)) { this.add(f.conversation, "seq-" + f.seq, f.author, f.body); }
      } else if (f.type === "typing" && this.chats[f.conversation]) {
        this.chats[f.conversation].typing.textContent = t("customerTyping");
      } else if (f.type === "status" && this.chats[f.conversation] && f.seq && !this.seen(f.conversation, f.seq)) {
        if (f.state === "ended") { this.chats[f.conversation].log.appendChild(el("li", { "class": "lc-note" }, t("ended"))); }
      } else if (f.type === "offer") {
        this.statusLine.textContent = t("offered");
        document.body.dispatchEvent(new CustomEvent("chat-offer"));
      } else if (f.type === "error") {
        this.statusLine.textContent = f.message;
      }
    }
  }
  if (!customElements.get("lambdesk-agent-chat")) { customElements.define("lambdesk-agent-chat", AgentChat); }
})();
