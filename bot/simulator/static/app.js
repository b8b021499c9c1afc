/* The WeChat chat simulator: signs WeChat's XML with the development token and posts it to /wechat,
 * shows the passive replies, and polls the stand-in WeChat API for pushes (customer-service,
 * template and mass messages). Plain JS, no build step, no network resources. */
(function () {
  "use strict";

  var STORE_PREFIX = "jianxi-sim:v1:";
  var POLL_MS = 2000;
  var OTHERS_EVERY = 5; // poll the personas not on screen every 5th tick
  var TIME_GAP_MS = 5 * 60 * 1000; // a time separator after 5 quiet minutes, as WeChat does
  var MAX_KEPT = 500; // messages kept per persona
  var ACCOUNT_NAME = "就业见习助手";
  var USER_AVATARS = { graduate: "毕", unit: "单", official: "人" }; // the bot's avatar is "见"
  var PUSH_LABELS = { custom: "客服消息", template: "模板消息", mass: "群发消息" };
  var TEMPLATE_KEYS = {
    thing: "事项", time: "时间", date: "日期", name: "姓名", phrase: "状态", character_string: "编号",
    number: "数量", amount: "金额", keyword: "内容", phone_number: "电话", letter: "字母", symbol: "符号",
  };

  var config = null;
  var current = null; // the persona on screen: {role, openid, label}
  var chats = {}; // openid -> {messages, lastPushId, followed, unread}
  var lastCreateTime = {}; // openid -> last CreateTime sent (events are deduplicated per second)
  var pollBusy = {};
  var pushChecked = {}; // openid -> the stand-in's numbering was checked since the last outage
  var following = {};
  var queue = Promise.resolve();
  var tick = 0;

  var $ = function (id) { return document.getElementById(id); };
  var el = {};

  // ---- storage ---------------------------------------------------------------------------------
  function storeGet(key) {
    try {
      var raw = window.localStorage.getItem(STORE_PREFIX + key);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function storeSet(key, value) {
    try {
      window.localStorage.setItem(STORE_PREFIX + key, JSON.stringify(value));
    } catch (e) {
      /* private mode or full: the chat still works, it just won't survive a reload */
    }
  }

  function chatOf(openid) {
    if (!chats[openid]) {
      var saved = storeGet("chat:" + openid);
      chats[openid] = {
        messages: saved && Array.isArray(saved.messages) ? saved.messages : [],
        lastPushId: saved && typeof saved.lastPushId === "number" ? saved.lastPushId : 0,
        followed: !!(saved && saved.followed),
        unread: saved && typeof saved.unread === "number" ? saved.unread : 0,
      };
    }
    return chats[openid];
  }

  function saveChat(openid) {
    var chat = chatOf(openid);
    if (chat.messages.length > MAX_KEPT) chat.messages = chat.messages.slice(-MAX_KEPT);
    storeSet("chat:" + openid, chat);
  }

  // ---- SHA-1 -------------------------------------------------------------------------------------
  function utf8(text) {
    return new TextEncoder().encode(text);
  }

  function hex(words) {
    return words.map(function (w) { return ("00000000" + (w >>> 0).toString(16)).slice(-8); }).join("");
  }

  /* Pure-JS SHA-1 for pages served from a host that is not a secure context (crypto.subtle is absent). */
  function sha1Fallback(text) {
    var bytes = utf8(text);
    var n = bytes.length;
    var size = ((n + 9 + 63) >> 6) << 6;
    var buf = new Uint8Array(size);
    buf.set(bytes);
    buf[n] = 0x80;
    var view = new DataView(buf.buffer);
    view.setUint32(size - 8, Math.floor(n / 0x20000000)); // high bits of n * 8
    view.setUint32(size - 4, (n * 8) >>> 0);
    var h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
    var w = new Int32Array(80);
    for (var off = 0; off < size; off += 64) {
      for (var i = 0; i < 16; i++) w[i] = view.getInt32(off + i * 4);
      for (i = 16; i < 80; i++) {
        var x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
        w[i] = (x << 1) | (x >>> 31);
      }
      var a = h0, b = h1, c = h2, d = h3, e = h4;
      for (i = 0; i < 80; i++) {
        var f, k;
        if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
        else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
        else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
        else { f = b ^ c ^ d; k = 0xca62c1d6; }
        var t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
        e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0; h4 = (h4 + e) | 0;
    }
    return hex([h0, h1, h2, h3, h4]);
  }

  function sha1Hex(text) {
    var subtle = window.isSecureContext && window.crypto && window.crypto.subtle;
    if (!subtle) return Promise.resolve(sha1Fallback(text));
    return subtle.digest("SHA-1", utf8(text)).then(function (digest) {
      var v = new DataView(digest);
      var words = [];
      for (var i = 0; i < 20; i += 4) words.push(v.getUint32(i));
      return hex(words);
    }, function () { return sha1Fallback(text); });
  }

  // ---- WeChat's XML ------------------------------------------------------------------------------
  function randomDigits(count, firstMax) {
    var out = "";
    var values = new Uint32Array(count);
    window.crypto.getRandomValues(values);
    for (var i = 0; i < count; i++) {
      var digit = values[i] % 10;
      if (i === 0) digit = 1 + (values[i] % (firstMax || 9)); // no leading zero
      out += digit;
    }
    return out;
  }

  function randomMsgId() {
    return randomDigits(19, 8); // below 9e18: fits a signed 64-bit integer, as WeChat's MsgId does
  }

  /* Characters XML 1.0 cannot carry (control characters other than tab, newline, carriage return). */
  function xmlSafe(text) {
    return String(text).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "");
  }

  function cdata(text) {
    // "]]>" cannot appear inside a CDATA section: close it after "]]" and open a new one for ">".
    return "<![CDATA[" + xmlSafe(text).split("]]>").join("]]]]><![CDATA[>") + "]]>";
  }

  function createTime(openid) {
    var now = Math.floor(Date.now() / 1000);
    var last = lastCreateTime[openid] || 0;
    var t = now > last ? now : last + 1;
    lastCreateTime[openid] = t;
    return t;
  }

  function messageXml(openid, fields) {
    var parts = [
      "<xml>",
      "<ToUserName>" + cdata(config.account) + "</ToUserName>",
      "<FromUserName>" + cdata(openid) + "</FromUserName>",
      "<CreateTime>" + createTime(openid) + "</CreateTime>",
    ];
    fields.forEach(function (pair) {
      var value = pair[2] ? String(pair[1]) : cdata(pair[1]);
      parts.push("<" + pair[0] + ">" + value + "</" + pair[0] + ">");
    });
    parts.push("</xml>");
    return parts.join("");
  }

  function childText(parent, name) {
    for (var node = parent.firstElementChild; node; node = node.nextElementSibling) {
      if (node.tagName === name) return node.textContent || "";
    }
    return "";
  }

  function parseReply(text) {
    var body = (text || "").trim();
    if (!body || body === "success") return [];
    var doc = new DOMParser().parseFromString(body, "application/xml");
    if (doc.getElementsByTagName("parsererror").length || !doc.documentElement) {
      return [note("收到无法解析的回复", true)];
    }
    var root = doc.documentElement;
    var type = childText(root, "MsgType").trim().toLowerCase();
    if (type === "text") {
      return [{ who: "bot", type: "text", text: childText(root, "Content"), ts: Date.now() }];
    }
    if (type === "news") {
      var articles = [];
      var items = root.getElementsByTagName("item");
      for (var i = 0; i < items.length; i++) {
        articles.push({
          title: childText(items[i], "Title"),
          description: childText(items[i], "Description"),
          picurl: childText(items[i], "PicUrl"),
          url: childText(items[i], "Url"),
        });
      }
      return [{ who: "bot", type: "news", articles: articles, ts: Date.now() }];
    }
    return [note("收到模拟器暂不支持显示的消息（" + (type || "未知类型") + "）")];
  }

  // ---- talking to /wechat ------------------------------------------------------------------------
  function enqueue(task) {
    var run = queue.then(task);
    queue = run.catch(function () {});
    return run;
  }

  function deliver(openid, xml) {
    var timestamp = String(Math.floor(Date.now() / 1000));
    var nonce = randomDigits(10);
    return sha1Hex([config.token, timestamp, nonce].sort().join("")).then(function (signature) {
      var query = new URLSearchParams({ signature: signature, timestamp: timestamp, nonce: nonce, openid: openid });
      setTyping(openid, true);
      return fetch("/wechat?" + query.toString(), {
        method: "POST",
        headers: { "Content-Type": "text/xml" },
        body: xml,
      }).then(function (res) {
        return res.text().then(function (text) {
          if (!res.ok) {
            addMessage(openid, note("发送失败（HTTP " + res.status + "）", true));
            return false;
          }
          parseReply(text).forEach(function (m) { addMessage(openid, m); });
          return true;
        });
      }, function () {
        addMessage(openid, note("发送失败（无法连接服务器）", true));
        return false;
      }).finally(function () { setTyping(openid, false); });
    });
  }

  function sendText(text) {
    var openid = current.openid;
    addMessage(openid, { who: "user", type: "text", text: text, ts: Date.now() });
    return enqueue(function () {
      return deliver(openid, messageXml(openid, [["MsgType", "text"], ["Content", text], ["MsgId", randomMsgId(), true]]));
    });
  }

  function sendEvent(openid, event, key) {
    var fields = [["MsgType", "event"], ["Event", event]];
    if (key) fields.push(["EventKey", key]);
    return deliver(openid, messageXml(openid, fields));
  }

  function follow(openid, resubscribe) {
    if (following[openid]) return Promise.resolve(false);
    following[openid] = true;
    return enqueue(function () {
      var chat = chatOf(openid);
      var first = Promise.resolve(true);
      if (resubscribe) {
        first = sendEvent(openid, "unsubscribe").then(function (ok) {
          if (ok) {
            chat.followed = false;
            addMessage(openid, note("已取消关注"));
          }
          return ok;
        });
      }
      return first.then(function (ok) {
        if (!ok) return false;
        addMessage(openid, note(resubscribe ? "已重新关注公众号" : "你关注了公众号“" + ACCOUNT_NAME + "”"));
        return sendEvent(openid, "subscribe").then(function (done) {
          if (done) {
            chat.followed = true;
            saveChat(openid);
          }
          return done;
        });
      });
    }).finally(function () { following[openid] = false; });
  }

  function clickMenu(button) {
    closePopups();
    var openid = current.openid;
    if (button.type === "click") {
      addMessage(openid, note("点击菜单：" + button.name));
      return enqueue(function () { return sendEvent(openid, "CLICK", button.key); });
    }
    if (button.type === "view" && safeUrl(button.url)) {
      addMessage(openid, note("打开网页：" + button.name));
      window.open(safeUrl(button.url), "_blank", "noopener");
      return Promise.resolve(true);
    }
    addMessage(openid, note("模拟器暂不支持这种菜单（" + (button.type || "未知") + "）"));
    return Promise.resolve(false);
  }

  // ---- pushes from the stand-in WeChat API ---------------------------------------------------------
  function pushToMessage(item) {
    var payload = item.payload || {};
    var label = PUSH_LABELS[item.kind] || "推送消息";
    var base = { who: "bot", push: true, label: label, pushId: item.id, ts: Date.parse(item.created_at) || Date.now() };
    if (item.kind === "template") {
      base.type = "template";
      base.data = payload.data || {};
      base.url = payload.url || "";
      return base;
    }
    var msgtype = item.msgtype || payload.msgtype;
    if (msgtype === "text") {
      base.type = "text";
      base.text = (payload.text && payload.text.content) || "";
      return base;
    }
    if (msgtype === "news") {
      base.type = "news";
      base.articles = ((payload.news && payload.news.articles) || []).map(function (a) {
        return { title: a.title || "", description: a.description || "", picurl: a.picurl || "", url: a.url || "" };
      });
      return base;
    }
    base.type = "text";
    base.text = "［" + msgtype + " 消息，模拟器暂不显示内容］";
    return base;
  }

  function poll(openid) {
    if (!config || pollBusy[openid]) return Promise.resolve();
    pollBusy[openid] = true;
    var chat = chatOf(openid);
    var full = !pushChecked[openid];
    var query = new URLSearchParams({ touser: openid, after: String(full ? 0 : chat.lastPushId) });
    return fetch(config.standin + "/_standin/messages?" + query.toString(), { cache: "no-store" })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })
      .then(function (data) {
        var items = (data && Array.isArray(data.items) ? data.items : [])
          .filter(function (i) { return typeof i.id === "number"; })
          .sort(function (a, b) { return a.id - b.id; });
        if (full) {
          // The stand-in keeps its messages in memory: after a server restart its ids start again at 1.
          var maxId = items.length ? items[items.length - 1].id : 0;
          if (maxId < chat.lastPushId) chat.lastPushId = 0;
          pushChecked[openid] = true;
        }
        var added = 0;
        items.forEach(function (item) {
          if (item.id <= chat.lastPushId) return;
          chat.lastPushId = item.id;
          addMessage(openid, pushToMessage(item), true);
          added++;
        });
        if (added) {
          if (!current || openid !== current.openid) chat.unread += added;
          saveChat(openid);
          renderBadges();
        }
      })
      .catch(function () {
        pushChecked = {}; // the server may be restarting: check the numbering again when it is back
      })
      .finally(function () { pollBusy[openid] = false; });
  }

  function pollTick() {
    if (!config || !current) return;
    tick++;
    poll(current.openid);
    if (tick % OTHERS_EVERY === 0) {
      config.personas.forEach(function (p) { if (p.openid !== current.openid) poll(p.openid); });
    }
  }

  // ---- rendering -----------------------------------------------------------------------------------
  function note(text, error) {
    return { who: "system", type: "note", text: text, error: !!error, ts: Date.now() };
  }

  function safeUrl(url) {
    if (!url) return null;
    try {
      var u = new URL(url, window.location.href);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function formatTime(ms) {
    var d = new Date(ms);
    var now = new Date();
    var hm = pad(d.getHours()) + ":" + pad(d.getMinutes());
    var today = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
    if (ms >= today) return hm;
    if (ms >= today - 86400000) return "昨天 " + hm;
    var md = (d.getMonth() + 1) + "月" + d.getDate() + "日 " + hm;
    return d.getFullYear() === now.getFullYear() ? md : d.getFullYear() + "年" + md;
  }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function avatar(who) {
    if (who === "bot") {
      var a = make("div", "avatar bot-avatar", "见");
      a.setAttribute("aria-hidden", "true");
      return a;
    }
    var role = current ? current.role : "graduate";
    var u = make("div", "avatar user-avatar role-" + role, USER_AVATARS[role] || (current ? current.label.charAt(0) : "我"));
    u.setAttribute("aria-hidden", "true");
    return u;
  }

  function renderArticles(articles) {
    var box = make("div", "articles" + (articles.length > 1 ? " multi" : ""));
    articles.forEach(function (a, i) {
      var href = safeUrl(a.url);
      var card = make(href ? "a" : "div", "article" + (i === 0 ? " cover" : ""));
      if (href) {
        card.href = href;
        card.target = "_blank";
        card.rel = "noopener noreferrer";
      }
      var pic = safeUrl(a.picurl);
      if (pic) {
        var img = make("img", "article-pic");
        img.alt = "";
        img.loading = "lazy";
        img.src = pic;
        img.addEventListener("error", function () { img.remove(); });
        card.appendChild(img);
      }
      var text = make("div", "article-text");
      text.appendChild(make("div", "article-title", a.title || "（无标题）"));
      if (a.description && (articles.length === 1)) text.appendChild(make("div", "article-desc", a.description));
      card.appendChild(text);
      if (articles.length === 1 && href) card.appendChild(make("div", "article-more", "阅读全文"));
      box.appendChild(card);
    });
    return box;
  }

  function templateKey(key) {
    var m = /^([a-z_]+?)_?(\d*)$/i.exec(key);
    var label = m && TEMPLATE_KEYS[m[1]];
    return label ? label + (m[2] ? m[2] : "") : key;
  }

  function renderTemplate(msg) {
    var card = make("div", "template-card");
    var data = msg.data || {};
    var value = function (k) { return data[k] && data[k].value !== undefined ? String(data[k].value) : ""; };
    card.appendChild(make("div", "template-title", value("first") || "服务通知"));
    var rows = make("dl", "template-rows");
    Object.keys(data).forEach(function (k) {
      if (k === "first" || k === "remark") return;
      rows.appendChild(make("dt", "template-key", templateKey(k)));
      rows.appendChild(make("dd", "template-value", value(k)));
    });
    card.appendChild(rows);
    if (value("remark")) card.appendChild(make("div", "template-remark", value("remark")));
    var href = safeUrl(msg.url);
    if (href) {
      var link = make("a", "template-more", "详情");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      card.appendChild(link);
    }
    return card;
  }

  function renderMessage(msg) {
    if (msg.who === "system") {
      var n = make("div", "note" + (msg.error ? " error" : ""), msg.text);
      n.setAttribute("role", msg.error ? "alert" : "note");
      return n;
    }
    var row = make("div", "msg " + msg.who + (msg.push ? " push" : ""));
    row.dataset.type = msg.type;
    if (msg.pushId) row.dataset.pushId = String(msg.pushId);
    row.appendChild(avatar(msg.who));
    var body = make("div", "msg-body");
    if (msg.push) body.appendChild(make("div", "push-label", msg.label || "推送消息"));
    if (msg.type === "news") body.appendChild(renderArticles(msg.articles || []));
    else if (msg.type === "template") body.appendChild(renderTemplate(msg));
    else body.appendChild(make("div", "bubble", msg.text || ""));
    row.appendChild(body);
    row.setAttribute("aria-label", (msg.who === "user" ? "我" : ACCOUNT_NAME) + (msg.push ? "（" + msg.label + "）" : ""));
    return row;
  }

  function appendRendered(msg, prev) {
    if (!prev || msg.ts - prev.ts > TIME_GAP_MS) {
      el.messages.appendChild(make("div", "time-sep", formatTime(msg.ts)));
    }
    el.messages.appendChild(renderMessage(msg));
  }

  function scrollToEnd() {
    el.chat.scrollTop = el.chat.scrollHeight;
  }

  function renderAll() {
    var chat = chatOf(current.openid);
    el.messages.textContent = "";
    chat.messages.forEach(function (m, i) { appendRendered(m, chat.messages[i - 1]); });
    el.empty.hidden = chat.messages.length > 0;
    scrollToEnd();
  }

  function addMessage(openid, msg, noSave) {
    var chat = chatOf(openid);
    var prev = chat.messages[chat.messages.length - 1];
    chat.messages.push(msg);
    if (!noSave) saveChat(openid);
    if (current && openid === current.openid) {
      appendRendered(msg, prev);
      el.empty.hidden = true;
      scrollToEnd();
    }
  }

  function setTyping(openid, on) {
    if (current && openid === current.openid) el.title.textContent = on ? "对方正在输入…" : ACCOUNT_NAME;
  }

  function renderBadges() {
    config.personas.forEach(function (p) {
      var button = el.personas.querySelector('.persona[data-role="' + p.role + '"]');
      if (!button) return;
      var badge = button.querySelector(".badge");
      var unread = chatOf(p.openid).unread;
      badge.textContent = unread > 99 ? "99+" : String(unread);
      badge.hidden = !unread || (current && p.openid === current.openid);
      var pressed = !!current && p.role === current.role;
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.classList.toggle("active", pressed);
    });
  }

  // ---- personas ------------------------------------------------------------------------------------
  function switchPersona(role) {
    var persona = config.personas.filter(function (p) { return p.role === role; })[0] || config.personas[0];
    current = { role: persona.role, openid: persona.openid, label: persona.label };
    storeSet("persona", persona.role);
    var chat = chatOf(persona.openid);
    chat.unread = 0;
    saveChat(persona.openid);
    renderAll();
    renderBadges();
    el.title.textContent = ACCOUNT_NAME;
    closePopups();
    return fetch("/simulator/persona", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ role: persona.role }),
    }).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    }).then(function () {
      poll(persona.openid);
      if (!chat.followed) return follow(persona.openid, false);
      return true;
    }, function (err) {
      addMessage(persona.openid, note("切换身份失败（" + err.message + "）", true));
      return false;
    });
  }

  // ---- menu and input ------------------------------------------------------------------------------
  function closePopups() {
    Array.prototype.forEach.call(document.querySelectorAll(".submenu"), function (s) { s.hidden = true; });
    Array.prototype.forEach.call(document.querySelectorAll(".menu-btn[aria-expanded]"), function (b) {
      b.setAttribute("aria-expanded", "false");
    });
    if (el.moreMenu) {
      el.moreMenu.hidden = true;
      el.more.setAttribute("aria-expanded", "false");
    }
  }

  function buildMenu() {
    var buttons = (config.menu && config.menu.button) || [];
    el.menuBar.textContent = "";
    if (!buttons.length) {
      el.toggle.hidden = true;
      setMode("keyboard");
      return;
    }
    buttons.forEach(function (b) {
      var cell = make("div", "menu-cell");
      var btn = make("button", "menu-btn");
      btn.type = "button";
      btn.dataset.name = b.name;
      var subs = Array.isArray(b.sub_button) ? b.sub_button : [];
      if (subs.length) {
        btn.appendChild(make("span", "menu-sub-icon", "≡"));
        btn.appendChild(document.createTextNode(b.name));
        btn.setAttribute("aria-haspopup", "menu");
        btn.setAttribute("aria-expanded", "false");
        var list = make("ul", "submenu");
        list.setAttribute("role", "menu");
        list.setAttribute("aria-label", b.name);
        list.hidden = true;
        subs.forEach(function (s) {
          var li = make("li");
          li.setAttribute("role", "none");
          var item = make("button", "submenu-item", s.name);
          item.type = "button";
          item.dataset.name = s.name;
          item.setAttribute("role", "menuitem");
          item.addEventListener("click", function (ev) { ev.stopPropagation(); clickMenu(s); });
          li.appendChild(item);
          list.appendChild(li);
        });
        btn.addEventListener("click", function (ev) {
          ev.stopPropagation();
          var open = list.hidden;
          closePopups();
          list.hidden = !open;
          btn.setAttribute("aria-expanded", open ? "true" : "false");
        });
        cell.appendChild(list);
      } else {
        btn.textContent = b.name;
        btn.addEventListener("click", function (ev) { ev.stopPropagation(); clickMenu(b); });
      }
      cell.appendChild(btn);
      el.menuBar.appendChild(cell);
    });
  }

  function setMode(mode) {
    var menu = mode === "menu";
    el.menuBar.hidden = !menu;
    el.compose.hidden = menu;
    el.toggle.classList.toggle("to-keyboard", menu);
    var label = menu ? "切换到键盘" : "切换到菜单";
    el.toggle.setAttribute("aria-label", label);
    el.toggle.title = label;
    el.toggle.firstElementChild.className = menu ? "icon-keyboard" : "icon-menu";
    closePopups();
    storeSet("mode", mode);
    if (!menu) el.input.focus();
  }

  function autosize() {
    el.input.style.height = "auto";
    el.input.style.height = Math.min(el.input.scrollHeight, 120) + "px";
  }

  function submit() {
    var text = el.input.value;
    if (!text.trim() || !current) return;
    el.input.value = "";
    autosize();
    sendText(text);
    el.input.focus();
  }

  function bind() {
    el.messages = $("messages");
    el.chat = $("chat");
    el.empty = $("empty");
    el.personas = $("personas");
    el.title = $("account-name");
    el.input = $("input");
    el.compose = $("compose");
    el.menuBar = $("menu-bar");
    el.toggle = $("menu-toggle");
    el.more = $("more");
    el.moreMenu = $("more-menu");

    el.compose.addEventListener("submit", function (ev) { ev.preventDefault(); submit(); });
    el.input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        submit();
      }
    });
    el.input.addEventListener("input", autosize);
    el.toggle.addEventListener("click", function () { setMode(el.menuBar.hidden ? "menu" : "keyboard"); });
    el.more.addEventListener("click", function (ev) {
      ev.stopPropagation();
      var open = el.moreMenu.hidden;
      closePopups();
      el.moreMenu.hidden = !open;
      el.more.setAttribute("aria-expanded", open ? "true" : "false");
    });
    $("resubscribe").addEventListener("click", function () {
      closePopups();
      if (current) follow(current.openid, true);
    });
    $("clear").addEventListener("click", function () {
      closePopups();
      if (!current) return;
      chatOf(current.openid).messages = [];
      saveChat(current.openid);
      renderAll();
    });
    $("follow").addEventListener("click", function () {
      if (current) follow(current.openid, false);
    });
    document.addEventListener("click", closePopups);
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") closePopups(); });
  }

  function init() {
    bind();
    fetch("/simulator/config", { cache: "no-store" }).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    }).then(function (cfg) {
      config = cfg;
      config.standin = (config.standin || "/wechat-api").replace(/\/$/, "");
      config.personas.forEach(function (p) {
        var b = make("button", "persona");
        b.type = "button";
        b.dataset.role = p.role;
        b.dataset.openid = p.openid;
        b.setAttribute("aria-pressed", "false");
        b.setAttribute("aria-label", "以“" + p.label + "”身份聊天");
        b.appendChild(make("span", "persona-label", p.label));
        var badge = make("span", "badge");
        badge.hidden = true;
        b.appendChild(badge);
        b.addEventListener("click", function () {
          if (!current || current.role !== p.role) switchPersona(p.role);
        });
        el.personas.appendChild(b);
      });
      buildMenu();
      if (el.menuBar.childElementCount) setMode(storeGet("mode") === "keyboard" ? "keyboard" : "menu");
      var saved = storeGet("persona");
      var known = config.personas.some(function (p) { return p.role === saved; });
      window.setInterval(pollTick, POLL_MS);
      return switchPersona(known ? saved : config.personas[0].role);
    }).then(function () {
      document.body.dataset.ready = "true";
    }).catch(function (err) {
      el.messages.appendChild(make("div", "note error", "无法读取模拟器配置（" + err.message + "），请确认服务已启动后刷新页面。"));
    });
  }

  // Hooks for the end-to-end tests and for debugging in the console.
  window.jianxiSimulator = { sha1Hex: sha1Hex, sha1Fallback: sha1Fallback, cdata: cdata, parseReply: parseReply };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
