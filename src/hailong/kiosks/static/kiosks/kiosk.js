// hailong kiosk: one question per screen, big buttons, reset after each answer and when idle.
// Every finished answer goes into a queue kept on the tablet (localStorage) with its own
// idempotency key, and the queue is sent whenever the network allows: an answer given
// offline is sent later, and an answer whose reply was lost is sent again and stored once.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("kiosk-config").textContent);
  var form = document.getElementById("kiosk-form");
  var app = document.getElementById("kiosk-app");
  var status = document.getElementById("kiosk-status");
  var QUEUE = "hailong-kiosk-queue";
  var NOT_APPLICABLE = 99;  // hailong.measurement.answers.NOT_APPLICABLE
  var answers, step, started, idleTimer, sending = false;

  form.hidden = true;
  app.hidden = false;
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/kiosk/sw.js", { scope: "/kiosk/" }).catch(function () {});

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }
  function queue() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(items) { localStorage.setItem(QUEUE, JSON.stringify(items)); showStatus(); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return "kiosk-" + crypto.randomUUID();
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return "kiosk-" + Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function showStatus() {
    var n = queue().length, parts = [];
    if (!navigator.onLine) parts.push(cfg.text.offline);
    if (n) parts.push(fmt(cfg.text.waiting, { n: n }));
    status.textContent = parts.join(" ");
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function reset() {
    answers = {}; step = 0; started = Date.now();
    render();
  }

  function touch() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () { if (step > 0 || Object.keys(answers).length) reset(); }, cfg.idle * 1000);
  }

  function next() {
    step += 1;
    if (step >= cfg.questions.length) finish(); else render();
  }

  function render() {
    touch();
    var q = cfg.questions[step];
    app.replaceChildren();
    app.appendChild(el("p", { "class": "step" }, fmt(cfg.text.step, { n: step + 1, total: cfg.questions.length })));
    var heading = el("h2", { id: "kiosk-q", tabindex: "-1" }, q.text);
    app.appendChild(heading);
    if (q.type === "text") {
      var box = el("textarea", { rows: "4", maxlength: String(q.max), "aria-labelledby": "kiosk-q" });
      app.appendChild(box);
      var row = el("div", { "class": "row" });
      if (!q.required) {
        var skip = el("button", { type: "button" }, cfg.text.skip);
        skip.addEventListener("click", next);
        row.appendChild(skip);
      }
      var send = el("button", { type: "button", "class": "primary" }, cfg.text.send);
      send.addEventListener("click", function () {
        if (box.value.trim()) answers[q.code] = box.value.trim();
        if (q.required && !answers[q.code]) { box.focus(); return; }
        next();
      });
      row.appendChild(send);
      app.appendChild(row);
      box.addEventListener("input", touch);
    } else {
      var choices = el("div", { "class": "choices", role: "group", "aria-labelledby": "kiosk-q" });
      // an ordinal scale's points stay together, in one row or one column in order (kiosk.css);
      // "not applicable" (NOT_APPLICABLE, 99, added by the server) comes after them
      var scale = q.type === "ordinal" ? choices.appendChild(el("div", { "class": "scale" })) : choices;
      q.options.forEach(function (o) {
        var b = el("button", { type: "button" }, o.label);
        b.addEventListener("click", function () {
          answers[q.code] = q.type === "multi" ? [o.value] : o.value;
          next();
        });
        (o.value === NOT_APPLICABLE ? choices : scale).appendChild(b);
      });
      app.appendChild(choices);
      if (!q.required) {
        var row2 = el("div", { "class": "row" });
        var skip2 = el("button", { type: "button" }, cfg.text.skip);
        skip2.addEventListener("click", next);
        row2.appendChild(skip2);
        app.appendChild(row2);
      }
    }
    if (step > 0) {
      var again = el("button", { type: "button" }, cfg.text.start_over);
      again.addEventListener("click", reset);
      app.appendChild(el("div", { "class": "row" })).appendChild(again);
    }
    heading.focus();
  }

  function finish() {
    var items = queue();
    items.push({
      key: newKey(),
      body: {
        campaign: cfg.campaign,
        answers: answers,
        submitted_at: new Date().toISOString(),
        fill_seconds: Math.round((Date.now() - started) / 1000)
      }
    });
    saveQueue(items);
    app.replaceChildren(el("p", { "class": "thanks", role: "status" }, cfg.text.thanks));
    if (cfg.feedback) {
      app.appendChild(el("p")).appendChild(el("a", { href: cfg.feedback }, cfg.text.feedback));
    }
    clearTimeout(idleTimer);
    setTimeout(reset, 4000);
    flush();
  }

  function flush() {
    if (sending) return;
    var items = queue();
    if (!items.length) { showStatus(); return; }
    sending = true;
    var item = items[0];
    fetch(cfg.submit, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.key },
      body: JSON.stringify(item.body)
    }).then(function (r) {
      sending = false;
      // keep it and try later: throttled, server trouble, or this tablet's registration was
      // replaced (registering it again lets the queue go out)
      if (r.status === 429 || r.status === 401 || r.status >= 500) { showStatus(); return; }
      // stored, a replay of a stored answer, or refused for good (it would never pass)
      saveQueue(queue().filter(function (x) { return x.key !== item.key; }));
      flush();
    }).catch(function () { sending = false; showStatus(); });  // no network: keep it
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", showStatus);
  document.addEventListener("pointerdown", touch);
  setInterval(flush, 15000);
  reset();
  flush();
})();
