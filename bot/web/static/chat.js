// つながり web chat. Plain JS, no build step, no CDN: it must run on school devices.
// The tab keeps its anonymous token in sessionStorage, so closing the tab (or a
// shared Chromebook's next user) does not carry the conversation on.
(() => {
  "use strict";
  const UI = JSON.parse(document.getElementById("ui-strings").textContent);
  const log = document.getElementById("log");
  const choicesBox = document.getElementById("choices");
  const statusLine = document.getElementById("status");
  const form = document.getElementById("composer");
  const input = document.getElementById("input");
  const store = window.sessionStorage;
  let locale = document.documentElement.lang || "ja";
  let ws = null;
  let retry = 0;
  let lastSeq = null;  // per page: a reload replays the conversation from the start
  let unacked = [];  // frames sent but not yet acknowledged: re-sent after a reconnect

  const t = (key) => (UI[locale] && UI[locale][key]) || (UI.ja && UI.ja[key]) || "";
  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9_-]/g, "");

  function setLocale(code) {
    if (!UI[code] || code === locale) return;
    locale = code;
    document.documentElement.lang = code.split("-")[0];
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scroll() { log.scrollTop = log.scrollHeight; }

  function addMine(text, cid) {
    const node = el("div", "msg me pending", text);
    node.dataset.cid = cid;
    node.setAttribute("aria-label", t("webchat.you"));
    log.appendChild(node);
    scroll();
  }

  function renderCard(card) {
    const box = el("article", "card");
    box.appendChild(el("h3", "", card.title));
    if (card.badges.length) {
      const badges = el("div", "badges");
      card.badges.forEach((b) => badges.appendChild(el("span", "badge", b)));
      box.appendChild(badges);
    }
    box.appendChild(el("p", "", card.body));
    if (card.hours) box.appendChild(el("p", "hours", card.hours));
    const actions = el("div", "actions");
    card.actions.forEach((a) => {
      if (a.kind === "postback") {
        const b = el("button", "btn", a.label);
        b.type = "button";
        b.addEventListener("click", () => choose(a.value, a.label));
        actions.appendChild(b);
        return;
      }
      const link = el("a", "btn" + (a.kind === "tel" ? " primary" : ""), a.label);
      link.href = a.kind === "tel" ? "tel:" + a.value.replace(/-/g, "") : a.value;
      if (a.kind !== "tel") { link.target = "_blank"; link.rel = "noopener noreferrer"; }
      actions.appendChild(link);
    });
    box.appendChild(actions);
    return box;
  }

  function renderReply(reply) {
    setLocale(reply.locale);
    reply.parts.forEach((part) => {
      if (part.type === "text") {
        const node = el("div", "msg bot", part.text);
        node.setAttribute("aria-label", t("webchat.bot"));
        log.appendChild(node);
      } else if (part.type === "cards") {
        const row = el("div", "cards");
        row.setAttribute("aria-label", part.alt);
        part.cards.forEach((c) => row.appendChild(renderCard(c)));
        log.appendChild(row);
      } else if (part.type === "link") {
        const link = el("a", "btn primary msg-link", part.label);
        link.href = part.url;
        if (part.download) link.setAttribute("download", "");
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        const wrap = el("div", "msg bot");
        wrap.appendChild(link);
        log.appendChild(wrap);
      }
    });
    showChoices(reply.choices);
    scroll();
  }

  function showChoices(choices) {
    choicesBox.replaceChildren();
    choices.forEach((c) => {
      const b = el("button", "", c.label);
      b.type = "button";
      b.addEventListener("click", () => choose(c.id, c.label));
      choicesBox.appendChild(b);
    });
  }

  function sendFrame(frame) {
    unacked.push(frame);
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    else statusLine.textContent = t("webchat.queued_offline");
  }

  function choose(id, label) {
    const cid = newId();
    addMine(label, cid);
    choicesBox.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    sendFrame({ type: "choice", id, cid, label });  // the label comes back after a reload
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const cid = newId();
    addMine(text, cid);
    sendFrame({ type: "text", text, cid });
    input.value = "";
    input.focus();
  });

  input.addEventListener("keydown", (e) => {
    // Enter sends; Shift+Enter is a new line. Never send while an IME is composing
    // (Japanese input confirms a conversion with Enter).
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  document.getElementById("end").addEventListener("click", () => {
    if (!window.confirm(t("webchat.end_session_confirm"))) return;
    store.clear();
    window.location.reload();
  });

  function connect() {
    statusLine.textContent = retry ? t("webchat.reconnecting") : t("webchat.connecting");
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + window.location.host + "/ws");
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ type: "hello", token: store.getItem("tsunagari.token"), last: lastSeq }));
    });
    ws.addEventListener("message", (e) => {
      const data = JSON.parse(e.data);
      if (data.type === "session") {
        store.setItem("tsunagari.token", data.token);
        retry = 0;
        statusLine.textContent = "";
        unacked.forEach((f) => ws.send(JSON.stringify(f)));  // the server drops repeats by cid
      } else if (data.type === "reply") {
        lastSeq = data.seq;
        renderReply(data.reply);
      } else if (data.type === "mine") {
        // The person's own message, kept by the server: after a reload it is drawn again,
        // in its place between the replies; in the tab that sent it, it is there already.
        lastSeq = data.seq;
        let mine = log.querySelector('[data-cid="' + data.cid + '"]');
        if (!mine) {
          addMine(data.text, data.cid);
          mine = log.querySelector('[data-cid="' + data.cid + '"]');
        }
        mine.classList.remove("pending");
      } else if (data.type === "ack") {
        unacked = unacked.filter((f) => f.cid !== data.cid);
        const mine = log.querySelector('[data-cid="' + data.cid + '"]');
        if (mine) mine.classList.remove("pending");
      }
    });
    ws.addEventListener("close", () => {
      retry += 1;
      statusLine.textContent = t("webchat.reconnecting");
      setTimeout(connect, Math.min(30000, 500 * 2 ** Math.min(retry, 6)));
    });
  }

  connect();
})();
