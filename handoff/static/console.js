// つながり counsellor console. Plain JS, no build step, no CDN.
// The bearer token lives in sessionStorage (gone when the tab closes) and only ever goes in
// an Authorization header. Live updates come from /api/events, opened with a one-time
// ticket because EventSource cannot send headers; they carry ids only, so the page fetches
// what changed through the API, which checks who may see it.
(() => {
  "use strict";
  const UI = JSON.parse(document.getElementById("ui-strings").textContent);
  const body = document.body;
  const store = window.sessionStorage;
  const TOKEN = "tsunagari.console.token";
  const ME = "tsunagari.console.me";
  const NOTICE = "tsunagari.console.notice";
  // The server's clock (which tests may set) minus this browser's: waiting times use it.
  const clockOffset = Number(body.dataset.serverNow || Date.now()) - Date.now();
  const LIVE_TYPES = ["queue.changed", "ticket.claimed", "ticket.message", "ticket.note",
    "ticket.transferred", "ticket.released", "ticket.closed", "ticket.cancelled",
    "ticket.ended", "alert"];
  const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || "ja",
    { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit" });

  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  function t(key, params) {
    const text = UI[key] === undefined ? key : UI[key];
    return params ? text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m)) : text;
  }
  // A code's label (category, age group, …), or the code itself if it has none.
  const label = (group, code) => (code == null ? t("console.queue.unknown") : (UI[group + "." + code] ?? code));

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function href(path) {
    return body.dataset.lang ? path + "?lang=" + encodeURIComponent(body.dataset.lang) : path;
  }
  const go = (path) => { window.location.assign(href(path)); };

  function signOut(notice) {
    store.removeItem(TOKEN);
    store.removeItem(ME);
    if (notice) store.setItem(NOTICE, notice);
    go("/console");
  }

  class ApiError extends Error {
    constructor(status, code, data) { super(code); this.status = status; this.code = code; this.data = data || {}; }
  }

  async function api(method, path, payload) {
    const headers = { Authorization: "Bearer " + (store.getItem(TOKEN) || "") };
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch("/api" + path, {
        method, headers, cache: "no-store",
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
    } catch (e) {
      throw new ApiError(0, "network");
    }
    if (response.status === 401) {
      signOut("expired");
      throw new ApiError(401, "unauthorized");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, data.error || "generic", data);
    return data;
  }

  function errorText(error) {
    const key = "console.error." + (error.code || "generic");
    return UI[key] !== undefined ? UI[key] : t("console.error.generic");
  }

  function say(node, text) { node.textContent = text || ""; }

  function waited(iso) {
    if (!iso) return t("console.queue.unknown");
    const minutes = Math.floor((Date.now() + clockOffset - Date.parse(iso)) / 60000);
    if (minutes < 1) return t("console.wait.under_minute");
    if (minutes < 60) return t("console.wait.minutes", { minutes });
    return t("console.wait.hours", { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
  }

  function riskBadge(level) {
    const value = level || "none";
    const badge = el("span", "risk risk-" + value, label("console.risk", value));
    badge.setAttribute("aria-label", t("console.risk.label", { level: label("console.risk", value) }));
    badge.title = badge.getAttribute("aria-label");
    return badge;
  }

  const debounce = (fn, ms) => {
    let timer = null;
    return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
  };

  // --- signed-in pages -----------------------------------------------------------------

  async function shell() {
    if (!store.getItem(TOKEN)) { go("/console"); return null; }
    let me = JSON.parse(store.getItem(ME) || "null");
    if (!me) {
      me = await api("GET", "/me");
      store.setItem(ME, JSON.stringify(me));
    }
    say($("#who"), t("console.nav.signed_in_as", {
      name: me.name || me.login, org: me.org_name || me.org, role: label("console.role", me.role),
    }));
    const nav = $("#nav");
    nav.hidden = false;
    if (["supervisor", "coordinator", "admin"].includes(me.role)) $('[data-nav="stats"]').hidden = false;
    $$("a[data-nav]").forEach((a) => {
      a.href = href(a.getAttribute("href"));
      if (a.dataset.nav === body.dataset.page) a.setAttribute("aria-current", "page");
    });
    $$("a[data-keep-lang]").forEach((a) => { a.href = href(a.getAttribute("href")); });
    $("#logout").addEventListener("click", async () => {
      try { await api("POST", "/logout"); } catch (e) { /* signed out here either way */ }
      signOut("signed_out");
    });
    return me;
  }

  // Live updates: a fresh one-time ticket for every (re)connection. Pub/sub does not
  // replay what was missed, so after a reconnection the page reloads what it shows.
  function live(onUpdate, onReconnect) {
    const status = $("#live");
    let source = null;
    let retry = 0;
    let opened = false;
    const schedule = () => {
      retry += 1;
      setTimeout(open, Math.min(30000, 500 * 2 ** Math.min(retry, 6)));
    };
    async function open() {
      let ticket;
      try {
        ({ ticket } = await api("POST", "/events/ticket"));
      } catch (e) {
        say(status, t("console.live.disconnected"));
        if (e.status !== 401) schedule();
        return;
      }
      source = new EventSource("/api/events?ticket=" + encodeURIComponent(ticket));
      source.addEventListener("open", () => {
        retry = 0;
        say(status, t("console.live.connected"));
        status.classList.add("on");
        if (opened) onReconnect();
        opened = true;
      });
      LIVE_TYPES.forEach((type) => source.addEventListener(type, (e) => onUpdate(type, JSON.parse(e.data))));
      source.addEventListener("error", () => {
        source.close();  // its own retry would reuse the spent ticket
        status.classList.remove("on");
        say(status, t("console.live.disconnected"));
        schedule();
      });
    }
    // The open stream keeps this console on duty; without it, say so every 30 s.
    setInterval(() => {
      if (!source || source.readyState !== EventSource.OPEN) api("POST", "/heartbeat").catch(() => {});
    }, 30000);
    open();
  }

  function showBanner(ticketId) {
    const banner = $("#alert-banner");
    banner.replaceChildren(el("strong", "", t("console.alerts.banner_high")));
    if (ticketId) {
      const link = el("a", "", t("console.alerts.open"));
      link.href = href("/console/c/" + ticketId);
      banner.append(" ", link);
    }
    banner.hidden = false;
  }

  // --- login -----------------------------------------------------------------------------

  function initLogin() {
    const form = $("#login-form");
    const msg = $("#login-msg");
    const notice = store.getItem(NOTICE);
    if (notice) { say(msg, t("console.login." + notice)); store.removeItem(NOTICE); }
    if (store.getItem(TOKEN)) { go("/console/queue"); return; }
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const button = $("button", form);
      button.disabled = true;
      say(msg, "");
      try {
        const response = await fetch("/api/login", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ login: $("#login").value, password: $("#password").value }),
        });
        const data = await response.json().catch(() => ({}));
        if (response.ok) {
          store.setItem(TOKEN, data.token);
          store.setItem(ME, JSON.stringify(await api("GET", "/me")));
          go("/console/queue");
          return;
        }
        if (response.status === 429) say(msg, t("console.login.throttled", { seconds: response.headers.get("Retry-After") || "60" }));
        else if (response.status === 401) say(msg, t("console.login.invalid"));
        else say(msg, t("console.login.failed"));
        $("#password").select();
      } catch (err) {
        say(msg, t("console.error.network"));
      } finally {
        button.disabled = false;
      }
    });
  }

  // --- the queue -------------------------------------------------------------------------

  async function initQueue(me) {
    const msg = $("#queue-msg");
    const coordinator = ["coordinator", "admin"].includes(me.role);
    const notice = store.getItem(NOTICE);
    if (notice) { say(msg, t(notice)); store.removeItem(NOTICE); }

    function cell(row, content) {
      const td = el("td");
      if (content instanceof Node) td.append(content); else td.textContent = content;
      row.append(td);
      return td;
    }

    function renderQueue(waiting) {
      const rows = waiting.map((item) => {
        const row = el("tr", "row-" + (item.risk || "none"));
        row.dataset.ticket = item.id;
        cell(row, riskBadge(item.risk));
        cell(row, waited(item.waiting_since)).dataset.since = item.waiting_since || "";
        cell(row, label("console.category", item.category));
        cell(row, label("console.age_group", item.age_group));
        cell(row, label("console.lang", item.lang));
        cell(row, label("console.channel", item.channel));
        cell(row, label("console.mode", item.mode));
        cell(row, String(item.position ?? ""));
        const actions = el("div", "actions");
        const claimButton = el("button", "primary", t("console.queue.claim"));
        claimButton.type = "button";
        claimButton.addEventListener("click", () => claim(item.id, claimButton));
        const open = el("a", "", t("console.queue.open"));
        open.href = href("/console/c/" + item.id);
        actions.append(claimButton, open);
        cell(row, actions);
        return row;
      });
      $("#queue-rows").replaceChildren(...rows);
      $("#queue-table").hidden = rows.length === 0;
      $("#queue-empty").hidden = rows.length > 0;
      const urgent = waiting.find((item) => item.risk === "high");
      if (urgent) showBanner(urgent.id);
    }

    function renderActive(conversations) {
      const rows = conversations.map((item) => {
        const row = el("tr", "row-" + (item.risk || "none"));
        row.dataset.ticket = item.id;
        cell(row, riskBadge(item.risk));
        cell(row, label("console.category", item.category));
        cell(row, label("console.age_group", item.age_group));
        cell(row, label("console.channel", item.channel));
        cell(row, item.counsellor === me.login ? t("console.queue.mine") : (item.counsellor || ""));
        const open = el("a", "", t("console.queue.open"));
        open.href = href("/console/c/" + item.id);
        cell(row, open);
        return row;
      });
      $("#active-rows").replaceChildren(...rows);
      $("#active-table").hidden = rows.length === 0;
      $("#active-empty").hidden = rows.length > 0;
    }

    function renderAlerts(alerts) {
      const items = alerts.slice(0, 20).map((a) => {
        const li = el("li", "alert-" + a.level);
        const link = el("a", "", t("console.alerts.item", {
          time: a.at ? timeFormat.format(new Date(a.at)) : "",
          level: label("console.risk", a.level),
          reasons: a.reasons.map((r) => label("console.risk_reason", r)).join("、") || t("console.chat.context.none"),
        }));
        link.href = href("/console/c/" + a.ticket);
        li.append(riskBadge(a.level), " ", link);
        return li;
      });
      $("#alert-list").replaceChildren(...items);
      $("#alerts-empty").hidden = items.length > 0;
    }

    async function claim(id, button) {
      button.disabled = true;
      try {
        await api("POST", "/conversations/" + id + "/claim");
        go("/console/c/" + id);
      } catch (e) {
        say(msg, errorText(e));
        button.disabled = false;
        refresh();
      }
    }

    async function load() {
      try {
        const [queue, active, alerts] = await Promise.all([
          api("GET", "/queue"), api("GET", "/conversations"),
          coordinator ? api("GET", "/alerts") : Promise.resolve(null),
        ]);
        renderQueue(queue.waiting);
        renderActive(active.conversations);
        if (alerts) renderAlerts(alerts.alerts);
      } catch (e) {
        if (e.status !== 401) say(msg, errorText(e));
      }
    }
    const refresh = debounce(load, 150);

    $("#alerts").hidden = !coordinator;
    await load();
    live((type, update) => {
      if (type === "alert" && update.level === "high") showBanner(update.ticket);
      refresh();
    }, refresh);
    setInterval(() => { $$("td[data-since]").forEach((td) => { td.textContent = waited(td.dataset.since); }); }, 15000);
  }

  // --- one conversation ------------------------------------------------------------------

  async function initChat(me) {
    const id = $("#chat").dataset.ticket;
    const catalog = JSON.parse($("#catalog-names").textContent);
    const msg = $("#chat-msg");
    const transcript = $("#transcript");
    const composer = $("#composer");
    const message = $("#message");
    const closeForm = $("#close-form");
    const seen = new Set();
    let lastId = null;
    let detail = null;
    let reading = Promise.resolve();

    const mine = () => detail && detail.status === "active" && detail.counsellor === me.login;

    function clearErrors(form) {
      $$(".field-error", form).forEach((node) => { node.textContent = ""; });
      $$("[aria-invalid]", form).forEach((node) => node.removeAttribute("aria-invalid"));
    }

    // Each problem is shown next to its field; the first field at fault gets the focus.
    function showProblems(form, problems) {
      let first = null;
      problems.forEach((p) => {
        const slot = $('[data-error-for="' + p.field + '"]', form) || $('[data-error-for="record"]', form);
        if (!slot) return;
        slot.textContent = t("console.field_error." + p.reason);
        const describedBy = slot.id && $('[aria-describedby~="' + slot.id + '"]', form);
        if (describedBy) {
          describedBy.setAttribute("aria-invalid", "true");
          first = first || describedBy;
        }
      });
      if (first) {
        const focusable = first.matches("fieldset") ? $("input", first) : first;
        (focusable || first).focus();
      }
    }

    // ``empty`` says what a missing value means: "none" found, or "unknown" (never asked).
    function contextRow(list, key, value, empty) {
      list.append(el("dt", "", t("console.chat.context." + key)));
      const dd = el("dd");
      if (value instanceof Node) dd.append(value); else dd.textContent = value || t("console.chat.context." + (empty || "unknown"));
      list.append(dd);
    }

    function renderDetail() {
      const ctx = detail.context || {};
      const summary = ctx.summary || {};
      $("#chat-risk").replaceChildren(riskBadge(detail.risk));
      say($("#chat-status"), t("console.chat.status", { status: label("console.status", detail.status) }));
      const list = $("#context");
      list.replaceChildren();
      contextRow(list, "risk", riskBadge(detail.risk));
      contextRow(list, "risk_reasons", (ctx.risk_reasons || []).map((r) => label("console.risk_reason", r)).join("、"), "none");
      contextRow(list, "age_group", ctx.age_group ? label("console.age_group", ctx.age_group) : "");
      contextRow(list, "category", ctx.category ? label("console.category", ctx.category) : "");
      contextRow(list, "lang", ctx.lang ? label("console.lang", ctx.lang) : "");
      contextRow(list, "channel", label("console.channel", detail.channel));
      contextRow(list, "request_reason", summary.reason ? label("console.request_reason", summary.reason) : "");
      contextRow(list, "reach", summary.reach ? label("console.reach", summary.reach) : "");
      const shown = (ctx.results_shown || []).map((entry) => catalog[entry] || entry);
      if (shown.length) {
        const ul = el("ul", "shown");
        shown.forEach((name) => ul.append(el("li", "", name)));
        contextRow(list, "results_shown", ul);
      } else {
        contextRow(list, "results_shown", "", "none");
      }
      contextRow(list, "waiting_since", detail.waiting_since ? timeFormat.format(new Date(detail.waiting_since)) : "");

      const coordinator = ["coordinator", "admin"].includes(me.role);
      $("#claim").hidden = detail.status !== "waiting";
      $("#release").hidden = !mine();
      composer.hidden = !mine();
      $("#composer-off").hidden = mine();
      closeForm.querySelector("button[type=submit]").disabled = !mine();
      $("#transfer-form button[type=submit]").disabled = !(mine() || (coordinator && detail.status === "waiting"));
      $("#note-form button[type=submit]").disabled = ["closed", "cancelled", "ended"].includes(detail.status);
    }

    function addEntry(entry) {
      if (seen.has(entry.id)) return;
      seen.add(entry.id);
      lastId = entry.id;
      const li = el("li", "entry entry-" + entry.role);
      const head = el("p", "entry-head");
      let who = t("console.chat.who." + entry.role);
      if (entry.author && (entry.role === "counsellor" || entry.role === "note")) who += "（" + entry.author + "）";
      head.append(el("span", "entry-who", who), el("time", "entry-time", timeFormat.format(new Date(entry.at * 1000))));
      const text = entry.role === "system" ? label("console.chat.system", entry.text) : entry.text;
      li.append(head, el("p", "entry-text", text));
      transcript.append(li);
      $("#transcript-empty").hidden = true;
      li.scrollIntoView({ block: "nearest" });
    }

    // One read at a time, each after the last id seen, so nothing is shown twice.
    function readMessages() {
      reading = reading.then(async () => {
        const after = lastId ? "?after=" + encodeURIComponent(lastId) : "";
        const { messages } = await api("GET", "/conversations/" + id + "/messages" + after);
        messages.forEach(addEntry);
      }).catch((e) => { if (e.status !== 401) say(msg, errorText(e)); });
      return reading;
    }

    async function loadDetail() {
      try {
        detail = await api("GET", "/conversations/" + id);
        $("#chat-grid").hidden = false;
        renderDetail();
        return true;
      } catch (e) {
        if (e.status === 404) { $("#chat-grid").hidden = true; $("#claim").hidden = true; }
        say(msg, errorText(e));
        return false;
      }
    }

    async function act(button, work) {
      button.disabled = true;
      try { return await work(); } finally { button.disabled = false; }
    }

    $("#claim").addEventListener("click", (e) => act(e.currentTarget, async () => {
      try {
        detail = await api("POST", "/conversations/" + id + "/claim");
        say(msg, "");
        renderDetail();
        readMessages();
        message.focus();
      } catch (err) { say(msg, errorText(err)); loadDetail(); }
    }));

    $("#release").addEventListener("click", (e) => act(e.currentTarget, async () => {
      try {
        await api("POST", "/conversations/" + id + "/release");
        say(msg, t("console.chat.released"));
        await loadDetail();
        readMessages();
      } catch (err) { say(msg, errorText(err)); }
    }));

    composer.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(composer);
      const text = message.value;
      if (!text.trim()) return;
      await act($("button", composer), async () => {
        try {
          await api("POST", "/conversations/" + id + "/messages", { text });
          message.value = "";
          readMessages();
        } catch (err) {
          if (err.status === 422) showProblems(composer, [{ field: err.data.field || "text", reason: err.code === "too_long" ? "too_long" : "required" }]);
          else say(msg, errorText(err));
        }
      });
      message.focus();
    });

    message.addEventListener("keydown", (e) => {
      // Enter sends; Shift+Enter is a new line; never while an IME is converting.
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        composer.requestSubmit();
      }
    });

    $("#note-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const form = e.currentTarget;
      clearErrors(form);
      const note = $("#note");
      await act($("button", form), async () => {
        try {
          await api("POST", "/conversations/" + id + "/notes", { text: note.value });
          note.value = "";
          say(msg, t("console.notes.saved"));
          readMessages();
        } catch (err) {
          if (err.status === 422) showProblems(form, [{ field: "text", reason: err.code === "too_long" ? "too_long" : "required" }]);
          else say(msg, errorText(err));
        }
      });
    });

    const transferForm = $("#transfer-form");
    const transferKind = () => $('input[name="to"]:checked', transferForm).value;
    $$('input[name="to"]', transferForm).forEach((radio) => radio.addEventListener("change", () => {
      $("#transfer-org-row").hidden = transferKind() !== "org";
      $("#transfer-category-row").hidden = transferKind() !== "queue";
    }));
    transferForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(transferForm);
      const payload = { to: transferKind() };
      if (payload.to === "org") payload.org = $("#transfer-org").value;
      if (payload.to === "queue" && $("#transfer-category").value) payload.category = $("#transfer-category").value;
      const note = $("#transfer-note").value;
      if (note.trim()) payload.note = note;
      await act($("button[type=submit]", transferForm), async () => {
        try {
          await api("POST", "/conversations/" + id + "/transfer", payload);
          store.setItem(NOTICE, "console.transfer.done");
          go("/console/queue");
        } catch (err) {
          if (err.status === 422) showProblems(transferForm, [{ field: err.data.field || "org", reason: err.code === "unknown_org" ? "unknown_value" : err.code }]);
          else say(msg, errorText(err));
        }
      });
    });

    closeForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(closeForm);
      const form = new FormData(closeForm);
      const record = {
        summary: form.get("summary") || "",
        topics: form.getAll("topics"),
        urgency: form.get("urgency") || "",
      };
      ["age_band", "gender", "lg_code"].forEach((name) => {
        const value = String(form.get(name) || "").trim();
        if (value) record[name] = value;
      });
      if (form.getAll("risk_flags").length) record.risk_flags = form.getAll("risk_flags");
      const referrals = String(form.get("referrals") || "").split("\n").map((line) => line.trim()).filter(Boolean);
      if (referrals.length) record.referrals = referrals;
      const to = form.get("escalation_to");
      const basis = form.get("escalation_basis");
      if (to || basis) record.escalation = { to: to || "", basis: basis || "" };
      await act($("button[type=submit]", closeForm), async () => {
        try {
          await api("POST", "/conversations/" + id + "/close", { record });
          closeForm.reset();
          await loadDetail();
          say(msg, t("console.close.done"));
          readMessages();
        } catch (err) {
          if (err.status === 422) {
            say(msg, t("console.close.check"));
            showProblems(closeForm, err.data.problems || [{ field: err.data.field || "record", reason: "invalid" }]);
          } else {
            say(msg, errorText(err));
          }
        }
      });
    });

    async function loadSide() {
      try {
        const [{ canned_replies: canned }, { orgs }] = await Promise.all([api("GET", "/canned"), api("GET", "/orgs")]);
        $("#canned").replaceChildren(...canned.map((c) => {
          const b = el("button", "canned-item", c.title);
          b.type = "button";
          b.addEventListener("click", () => {
            message.value = message.value ? message.value + "\n" + c.text : c.text;
            message.focus();
          });
          return b;
        }));
        $("#canned-empty").hidden = canned.length > 0;
        const others = orgs.filter((o) => o.id !== me.org);
        $("#transfer-org").replaceChildren(...others.map((o) => {
          const option = el("option", "", o.name);
          option.value = o.id;
          return option;
        }));
        if (!others.length) {  // nowhere to send it but the coordinators or the queue
          const toOrg = $('input[name="to"][value="org"]', transferForm);
          toOrg.disabled = true;
          $('input[name="to"][value="coordinator"]', transferForm).checked = true;
          $("#transfer-org-row").hidden = true;
          $("#transfer-no-orgs").hidden = false;
        }
      } catch (e) {
        if (e.status !== 401) say(msg, errorText(e));
      }
    }

    if (!(await loadDetail())) return;
    await Promise.all([readMessages(), loadSide()]);
    live((type, update) => {
      if (update.ticket !== id) {
        if (type === "alert" && update.level === "high") showBanner(update.ticket);
        return;
      }
      if (type === "ticket.message" || type === "ticket.note") { readMessages(); return; }
      loadDetail().then((visible) => { if (visible) readMessages(); });
    }, () => { loadDetail(); readMessages(); });
  }

  // --- statistics ----------------------------------------------------------------------

  async function initStats(me) {
    const msg = $("#stats-msg");
    const charts = $("#live-charts");
    const demo = $("#demo-charts");
    const form = $("#stats-form");

    async function load() {
      say(msg, t("console.loading"));
      const query = new URLSearchParams({ from: $("#stats-from").value, to: $("#stats-to").value });
      if (body.dataset.lang) query.set("lang", body.dataset.lang);
      let response;
      try {
        response = await fetch("/console/stats/charts?" + query, {
          headers: { Authorization: "Bearer " + store.getItem(TOKEN) }, cache: "no-store",
        });
      } catch (e) {
        say(msg, t("console.error.network"));
        return;
      }
      if (response.status === 401) { signOut("expired"); return; }
      if (response.status === 403) { say(msg, t("console.error.forbidden")); charts.replaceChildren(); return; }
      if (response.status === 422) { say(msg, t("console.stats.range_error")); return; }
      // Markup drawn and escaped by the server (handoff/charts.py); the CSP runs no script in it.
      const template = document.createElement("template");
      template.innerHTML = await response.text();
      charts.replaceChildren(template.content);
      say(msg, "");
    }

    form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
    $("#demo-switch").addEventListener("change", (e) => {
      demo.hidden = !e.currentTarget.checked;
      charts.hidden = e.currentTarget.checked;
      form.hidden = e.currentTarget.checked;
    });
    if (["supervisor", "coordinator", "admin"].includes(me.role)) await load();
    else say(msg, t("console.error.forbidden"));
  }

  // --- start ---------------------------------------------------------------------------------

  const pages = { queue: initQueue, chat: initChat, stats: initStats };
  async function start() {
    if (body.dataset.page === "login") { initLogin(); return; }
    try {
      const me = await shell();
      if (me) await pages[body.dataset.page](me);
    } catch (e) {
      if (e.status !== 401) say($("#live"), errorText(e));
    }
  }
  start();
})();
