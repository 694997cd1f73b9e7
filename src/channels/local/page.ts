/**
 * The /chat page of the local channel: plain HTML, CSS and DOM JavaScript served as strings (no build step,
 * no framework). Cards arrive already rendered by render.ts in the inbox response (`html`), so there is one
 * renderer; the page only lays messages out, posts what the person types, clicks and fills in, and polls the
 * inbox every 2 s.
 *
 * Served by routes.ts as /chat, /local/chat.css and /local/chat.js (separate files so the page can run under
 * a Content-Security-Policy without inline script). The JS below is written without template literals so
 * it can live inside one.
 */

export const CHAT_HTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>调度助手 · 本地对话</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/local/chat.css">
<script src="/local/chat.js" defer></script>
</head>
<body>
<div id="demo-banner" class="banner" hidden></div>
<div class="layout">
  <div id="drawer-backdrop" class="drawer-backdrop" hidden></div>
  <aside id="side" class="side" aria-label="身份与会话">
    <div class="brand">调度助手<small>本地对话（未接入飞书 / 企业微信）</small></div>
    <div id="me" class="me">尚未选择身份</div>
    <section class="side-section">
      <h2>会话</h2>
      <div id="convs" class="convs"></div>
    </section>
    <section class="side-section roster-section">
      <h2>选择身份</h2>
      <input id="filter" type="search" placeholder="搜索姓名、单位或职务" autocomplete="off">
      <div id="roster" class="roster" aria-label="身份列表">正在加载名册…</div>
    </section>
  </aside>
  <main class="main">
    <header class="conv-head">
      <button type="button" id="roster-toggle" class="roster-toggle" aria-controls="side" aria-expanded="false">☰ 身份</button>
      <div class="conv-head-text">
        <div id="conv-title" class="conv-title">调度助手</div>
        <div id="conv-sub" class="conv-sub">请先在左侧选择一个身份</div>
      </div>
    </header>
    <div id="messages" class="messages" aria-live="polite"></div>
    <div id="quick" class="quick" hidden>
      <span>试试：</span>
      <button type="button" class="chip" data-quick="帮助">帮助</button>
      <button type="button" class="chip" data-quick="排名">排名</button>
      <button type="button" class="chip" data-quick="红黄牌">红黄牌</button>
      <button type="button" class="chip" data-quick="问题">问题</button>
    </div>
    <form id="composer" class="composer">
      <label id="at-toggle" class="at-toggle" hidden title="群里的消息须 @调度助手 才会被处理"><input type="checkbox" id="at-bot" checked> @调度助手</label>
      <textarea id="text" rows="2" placeholder="请先在左侧选择身份" disabled></textarea>
      <button type="submit" id="send" class="btn btn-primary" disabled>发送</button>
    </form>
  </main>
</div>
<div id="toast" class="toast" role="status" hidden></div>
</body>
</html>
`

export const CHAT_CSS = `
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body {
  font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", system-ui, sans-serif;
  font-size: 14px; color: #1f2329; background: #f2f3f5; display: flex; flex-direction: column;
}
button, input, select, textarea { font: inherit; }
.banner { background: #fff4d6; color: #7a4b00; border-bottom: 1px solid #f5d48a; padding: 6px 16px; text-align: center; font-weight: 600; }
.layout { flex: 1; min-height: 0; display: grid; grid-template-columns: 300px 1fr; }
.side { background: #fff; border-right: 1px solid #dee0e3; display: flex; flex-direction: column; min-height: 0; }
.brand { padding: 14px 16px 8px; font-size: 18px; font-weight: 700; color: #3370ff; }
.brand small { display: block; font-size: 12px; font-weight: 400; color: #8f959e; margin-top: 2px; }
.me { margin: 0 12px 8px; padding: 8px 10px; border-radius: 6px; background: #f0f4ff; color: #1f2329; font-size: 13px; }
.me b { font-size: 15px; }
.side-section { padding: 4px 12px 8px; }
.side-section h2 { font-size: 12px; color: #8f959e; font-weight: 600; margin: 8px 4px 6px; }
.roster-section { flex: 1; min-height: 0; display: flex; flex-direction: column; }
#filter { width: 100%; padding: 6px 10px; border: 1px solid #dee0e3; border-radius: 6px; margin-bottom: 6px; }
.roster { overflow-y: auto; flex: 1; min-height: 0; }
.roster details { margin-bottom: 2px; }
.roster summary { cursor: pointer; padding: 6px 4px; font-weight: 600; color: #51565d; user-select: none; }
.roster .unit { font-size: 12px; color: #8f959e; padding: 6px 8px 2px; }
.person, .conv { display: block; width: 100%; text-align: left; border: 0; background: none; padding: 6px 8px; border-radius: 6px; cursor: pointer; color: inherit; }
.person:hover, .conv:hover { background: #f2f3f5; }
.person.active, .conv.active { background: #e1eaff; }
.person .name { font-weight: 600; }
.person .desc { color: #8f959e; font-size: 12px; margin-left: 6px; }
.conv .hint { display: block; color: #8f959e; font-size: 12px; }
.conv:disabled { cursor: not-allowed; opacity: .5; }
.main { display: flex; flex-direction: column; min-height: 0; min-width: 0; }
.conv-head { background: #fff; border-bottom: 1px solid #dee0e3; padding: 10px 20px; display: flex; align-items: center; gap: 10px; min-width: 0; }
.conv-head-text { min-width: 0; flex: 1; }
.conv-title, .conv-sub { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.roster-toggle { display: none; flex: none; border: 1px solid #d0d3d6; background: #fff; border-radius: 6px; padding: 6px 10px; cursor: pointer; color: #245bdb; font-weight: 600; }
.drawer-backdrop { display: none; }
.conv-title { font-size: 16px; font-weight: 700; }
.conv-sub { font-size: 12px; color: #8f959e; margin-top: 2px; }
.messages { flex: 1; min-height: 0; overflow-y: auto; padding: 16px 20px; }
.empty-state { color: #8f959e; text-align: center; margin-top: 15vh; line-height: 2; }
.msg { display: flex; gap: 8px; margin: 0 0 16px; align-items: flex-start; }
.msg .avatar { flex: none; width: 32px; height: 32px; border-radius: 50%; background: #3370ff; color: #fff; display: flex; align-items: center; justify-content: center; font-size: 13px; font-weight: 700; }
.msg.person .avatar { background: #10b5a6; }
.msg .col { min-width: 0; max-width: min(640px, 85%); }
.msg .col:has(.card) { width: min(640px, 85%); }
.msg .meta { font-size: 12px; color: #8f959e; margin-bottom: 4px; }
.msg.mine { flex-direction: row-reverse; }
.msg.mine .meta { text-align: right; }
.msg-text { background: #fff; border: 1px solid #e4e6e9; border-radius: 8px; padding: 8px 12px; line-height: 1.6; white-space: normal; word-break: break-word; }
.msg.mine .msg-text { background: #cfe0ff; border-color: #b6cdfa; }
.mention { display: inline-block; background: #e1eaff; color: #245bdb; border-radius: 10px; padding: 0 8px; margin: 1px 2px; font-size: 13px; }
.card { background: #fff; border: 1px solid #dee0e3; border-radius: 8px; overflow: hidden; box-shadow: 0 1px 3px rgba(31,35,41,.06); }
.card-head { padding: 10px 14px; }
.card-title { font-size: 15px; font-weight: 700; }
.card-subtitle { font-size: 12px; opacity: .9; margin-top: 2px; }
.card-body { padding: 10px 14px 12px; }
.card-body > * + * { margin-top: 10px; }
.card-md { line-height: 1.7; word-break: break-word; }
.card-fields { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 6px 16px; margin: 0; }
.card-field dt { font-size: 12px; color: #8f959e; }
.card-field dd { margin: 0; font-weight: 600; word-break: break-word; }
.card-divider { border: 0; border-top: 1px solid #e4e6e9; }
.card-table-wrap { overflow-x: auto; }
.card-table { border-collapse: collapse; width: 100%; font-size: 13px; }
.card-table th { background: #f5f6f7; color: #51565d; font-weight: 600; text-align: left; }
.card-table th, .card-table td { padding: 5px 8px; border-bottom: 1px solid #eef0f1; white-space: nowrap; }
.card-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.card-table .empty { color: #8f959e; text-align: center; }
.chart-title { font-weight: 600; margin-bottom: 4px; }
.chart-row { display: grid; grid-template-columns: minmax(60px, 30%) minmax(0, 1fr) auto; align-items: center; gap: 8px; margin: 3px 0; font-size: 13px; }
.chart-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.chart-track { background: #f2f3f5; border-radius: 3px; height: 12px; overflow: hidden; }
.chart-bar { display: block; height: 100%; background: #3370ff; border-radius: 3px; }
.chart-bar.neg { background: #e8453c; }
.chart-axis { font-size: 12px; color: #8f959e; margin-top: 2px; text-align: right; }
.chart-value { font-variant-numeric: tabular-nums; color: #51565d; min-width: 56px; text-align: right; }
.card-form { display: grid; gap: 8px; }
.card-input { display: grid; gap: 3px; }
.card-input-label { font-size: 13px; color: #51565d; }
.card-input .req { color: #e8453c; margin-left: 2px; }
.card-input input, .card-input select, .card-input textarea { width: 100%; padding: 6px 8px; border: 1px solid #d0d3d6; border-radius: 6px; background: #fff; }
.card-input textarea { resize: vertical; }
.card-actions, .card-form-submit { display: flex; flex-wrap: wrap; gap: 8px; }
.card-mentions { line-height: 1.8; }
.card-note { font-size: 12px; color: #8f959e; line-height: 1.6; }
.btn { border: 1px solid #d0d3d6; background: #fff; color: #1f2329; border-radius: 6px; padding: 5px 14px; cursor: pointer; }
.btn:hover { background: #f2f3f5; }
.btn-primary { background: #3370ff; border-color: #3370ff; color: #fff; }
.btn-primary:hover { background: #245bdb; }
.btn-danger { background: #fff; border-color: #e8453c; color: #e8453c; }
.btn:disabled { opacity: .55; cursor: wait; }
.quick { padding: 6px 20px 0; color: #8f959e; font-size: 13px; }
.chip { border: 1px solid #d0d3d6; background: #fff; border-radius: 14px; padding: 2px 12px; margin-right: 6px; cursor: pointer; }
.chip:hover { border-color: #3370ff; color: #3370ff; }
.composer { display: flex; gap: 8px; align-items: flex-end; padding: 10px 20px 14px; background: #f2f3f5; }
.composer textarea { flex: 1; resize: none; border: 1px solid #d0d3d6; border-radius: 8px; padding: 8px 10px; background: #fff; min-height: 44px; }
.composer .btn { height: 40px; padding: 0 22px; }
.at-toggle { align-self: center; font-size: 13px; color: #245bdb; white-space: nowrap; }
.toast { position: fixed; left: calc(50% + 150px); bottom: 110px; transform: translateX(-50%); background: #1f2329; color: #fff; padding: 8px 18px; border-radius: 6px; box-shadow: 0 4px 12px rgba(0,0,0,.2); z-index: 10; max-width: 80vw; }
.toast.success { background: #2ea121; }
.toast.warning { background: #f77f00; }
.toast.error { background: #e8453c; }
/* Phone width: the roster is a drawer over the conversation (☰ 身份), nothing wider than the screen. */
@media (max-width: 760px) {
  .layout { grid-template-columns: minmax(0, 1fr); }
  .side { position: fixed; top: 0; left: 0; bottom: 0; width: min(86vw, 340px); z-index: 30; transform: translateX(-100%); visibility: hidden; transition: transform .2s ease, visibility 0s linear .2s; box-shadow: 2px 0 12px rgba(0,0,0,.18); }
  body.drawer-open .side { transform: none; visibility: visible; transition: transform .2s ease; }
  body.drawer-open .drawer-backdrop { display: block; position: fixed; inset: 0; background: rgba(31,35,41,.35); z-index: 25; }
  .roster-toggle { display: inline-block; }
  .conv-head { padding: 8px 12px; }
  .messages { padding: 12px 10px; }
  .msg .col { max-width: calc(100% - 40px); }
  .msg .col:has(.card) { width: calc(100% - 40px); }
  .quick { padding: 6px 10px 0; overflow-x: auto; white-space: nowrap; }
  .composer { padding: 8px 10px 10px; }
  .composer .btn { padding: 0 14px; }
  .at-toggle { font-size: 12px; }
  .banner { padding: 4px 10px; font-size: 12px; }
  .toast { left: 50%; max-width: 92vw; }
}
`

export const CHAT_JS = String.raw`
'use strict';
(function () {
  var state = { roster: null, person: null, group: null, known: [], bodies: {}, timer: null, busy: false };
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };

  function api(method, path, body) {
    var opts = { method: method, headers: {} };
    if (body !== undefined) { opts.headers['content-type'] = 'application/json'; opts.body = JSON.stringify(body); }
    return fetch(path, opts).then(function (r) {
      return r.json().catch(function () { return { ok: false, error: '服务器返回了无法识别的内容' }; }).then(function (j) {
        if (!r.ok) { var e = new Error(j && j.error ? j.error : '请求失败（' + r.status + '）'); throw e; }
        return j;
      });
    });
  }

  var toastTimer = null;
  function toast(text, kind) {
    var t = $('toast');
    t.textContent = text;
    t.className = 'toast ' + (kind || 'info');
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.hidden = true; }, 3200);
  }

  function personById(id) {
    if (!state.roster) return null;
    for (var i = 0; i < state.roster.people.length; i++) if (state.roster.people[i].id === id) return state.roster.people[i];
    return null;
  }
  function groupById(id) {
    if (!state.roster) return null;
    for (var i = 0; i < state.roster.groups.length; i++) if (state.roster.groups[i].id === id) return state.roster.groups[i];
    return null;
  }
  function describe(p) {
    var parts = [];
    if (p.unit) parts.push(p.unit.name);
    if (p.title) parts.push(p.title);
    return parts.join(' ');
  }

  // ---- roster ----
  function sectionOf(p) {
    if (p.roles.indexOf('leader') >= 0 && !p.unit) return '县领导';
    if (p.roles.indexOf('office') >= 0) return '指挥部办公室';
    if (p.unit) return p.unit.league;
    return '其他';
  }
  var SECTIONS = ['县领导', '指挥部办公室', '乡镇', '开发区', '县直部门', '其他'];

  function renderRoster() {
    var box = $('roster');
    var q = $('filter').value.trim();
    box.textContent = '';
    var bySection = {};
    state.roster.people.forEach(function (p) {
      var hay = p.name + ' ' + describe(p) + ' ' + p.roleNames.join(' ');
      if (q && hay.indexOf(q) < 0) return;
      var s = sectionOf(p);
      (bySection[s] = bySection[s] || []).push(p);
    });
    var any = false;
    SECTIONS.forEach(function (s) {
      var list = bySection[s];
      if (!list || !list.length) return;
      any = true;
      var d = el('details');
      d.open = !!q || s === '县领导' || s === '指挥部办公室' || (state.person && list.some(function (p) { return p.id === state.person; }));
      d.appendChild(el('summary', null, s + '（' + list.length + '）'));
      var lastUnit = null;
      list.forEach(function (p) {
        var unitName = p.unit ? p.unit.name : null;
        if (s !== '县领导' && s !== '指挥部办公室' && unitName !== lastUnit) {
          d.appendChild(el('div', 'unit', unitName || ''));
          lastUnit = unitName;
        }
        var b = el('button', 'person' + (state.person === p.id ? ' active' : ''));
        b.type = 'button';
        b.setAttribute('data-person-id', String(p.id));
        b.appendChild(el('span', 'name', p.name));
        b.appendChild(el('span', 'desc', (s === '县领导' ? p.title : (p.title || '')) + ' · ' + p.roleNames.join('、')));
        b.title = p.name + ' ' + describe(p);
        d.appendChild(b);
      });
      box.appendChild(d);
    });
    if (!any) box.appendChild(el('div', 'unit', '没有找到匹配的人员'));
  }

  function renderConvs() {
    var box = $('convs');
    box.textContent = '';
    var p = personById(state.person);
    var direct = el('button', 'conv' + (state.group === null ? ' active' : ''));
    direct.type = 'button';
    direct.setAttribute('data-conv', 'direct');
    direct.appendChild(document.createTextNode('与调度助手私聊'));
    direct.appendChild(el('span', 'hint', p ? '以 ' + p.name + ' 的身份' : '先选择身份'));
    direct.disabled = !p;
    box.appendChild(direct);
    state.roster.groups.forEach(function (g) {
      var b = el('button', 'conv' + (state.group === g.id ? ' active' : ''));
      b.type = 'button';
      b.setAttribute('data-conv', String(g.id));
      b.appendChild(document.createTextNode('群聊：' + g.name));
      b.appendChild(el('span', 'hint', g.boards ? '接收赛马排名、红黄牌和通报' : '群聊'));
      box.appendChild(b);
    });
  }

  function renderMe() {
    var me = $('me');
    me.textContent = '';
    var p = personById(state.person);
    if (!p) { me.textContent = '尚未选择身份：请在下方名册中点选一位'; return; }
    me.appendChild(document.createTextNode('当前身份：'));
    me.appendChild(el('b', null, p.name));
    me.appendChild(el('div', null, describe(p) + '（' + p.roleNames.join('、') + '）'));
  }

  function renderHead() {
    var p = personById(state.person);
    var g = groupById(state.group);
    var title = $('conv-title'), sub = $('conv-sub');
    var text = $('text');
    $('at-toggle').hidden = !g;
    if (g) {
      title.textContent = g.name;
      sub.textContent = p ? '群聊 · 以 ' + p.name + '（' + describe(p) + '）的身份发言；@调度助手 的消息才会被处理' : '群聊 · 选择身份后可以在群里发言';
    } else if (p) {
      title.textContent = '与调度助手私聊';
      sub.textContent = '当前身份：' + p.name + '（' + describe(p) + '） · 新消息每 2 秒自动刷新';
    } else {
      title.textContent = '调度助手';
      sub.textContent = '请先在左侧选择一个身份';
    }
    text.disabled = !p;
    $('send').disabled = !p;
    text.placeholder = !p ? '请先在左侧选择身份' : g ? '在群里发言，例如：排名' : '输入消息，例如：帮助、查 城关镇、排名（Enter 发送，Shift+Enter 换行）';
  }

  function address() {
    if (state.group !== null) return 'group:' + state.group;
    if (state.person !== null) return 'person:' + state.person;
    return null;
  }

  function saveHash() {
    var parts = [];
    if (state.person !== null) parts.push('person=' + state.person);
    if (state.group !== null) parts.push('group=' + state.group);
    history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname);
  }

  function select(personId, groupId) {
    var changed = personId !== state.person || groupId !== state.group;
    state.person = personId;
    state.group = groupId;
    saveHash();
    renderMe(); renderConvs(); renderHead(); renderRoster();
    if (changed) { state.known = []; state.bodies = {}; $('messages').textContent = ''; }
    refresh(true);
  }

  // ---- inbox ----
  function timeLabel(iso) {
    var d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return (d.getUTCMonth() + 1) + '月' + d.getUTCDate() + '日 ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }

  function messageNode(m) {
    var mine = m.from === 'person' && m.personId === state.person;
    var row = el('div', 'msg ' + (m.from === 'bot' ? 'bot' : 'person') + (mine ? ' mine' : ''));
    row.setAttribute('data-message-id', String(m.id));
    var name = m.from === 'bot' ? '调度助手' : (m.name || '');
    row.appendChild(el('div', 'avatar', m.from === 'bot' ? '调' : name.slice(0, 1)));
    var col = el('div', 'col');
    col.appendChild(el('div', 'meta', name + '  ' + timeLabel(m.at)));
    var content = el('div', 'content');
    content.innerHTML = m.html; // rendered and escaped by the server (render.ts)
    col.appendChild(content);
    row.appendChild(col);
    return row;
  }

  function showEmpty(box) {
    var g = groupById(state.group);
    var e = el('div', 'empty-state');
    if (state.person === null && !g) e.textContent = '请先在左侧选择一个身份，再和调度助手对话。';
    else if (g) e.textContent = '群里还没有消息。赛马排名、红黄牌和通报会发到这里；发言时 @调度助手 即可让它处理。';
    else e.textContent = '还没有消息。发送「帮助」看看调度助手能为您做什么。';
    box.appendChild(e);
  }

  function applyInbox(messages, forceScroll) {
    var box = $('messages');
    var nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    var ids = messages.map(function (m) { return String(m.id); });
    var samePrefix = state.known.length <= ids.length && state.known.every(function (id, i) { return ids[i] === id; });
    var grew = ids.length > state.known.length;
    if (!samePrefix) { box.textContent = ''; state.known = []; state.bodies = {}; }
    if (messages.length === 0) { if (!box.querySelector('.empty-state')) { box.textContent = ''; showEmpty(box); } }
    else { var empty = box.querySelector('.empty-state'); if (empty) empty.remove(); }
    messages.forEach(function (m) {
      var id = String(m.id);
      if (state.bodies[id] === undefined) {
        box.appendChild(messageNode(m));
      } else if (state.bodies[id] !== m.html) {
        var old = box.querySelector('[data-message-id="' + CSS.escape(id) + '"]');
        if (old) old.replaceWith(messageNode(m));
      }
      state.bodies[id] = m.html;
    });
    state.known = ids;
    $('quick').hidden = !(state.person !== null && messages.length < 3);
    if (forceScroll || (grew && nearBottom) || !samePrefix) box.scrollTop = box.scrollHeight;
  }

  var inflight = null;
  function refresh(forceScroll) {
    var addr = address();
    if (!addr) { applyInbox([], false); return Promise.resolve(); }
    var mine = api('GET', '/local/inbox?address=' + encodeURIComponent(addr)).then(function (r) {
      if (address() !== addr || inflight !== mine) return;
      applyInbox(r.messages, forceScroll);
    }).catch(function (e) { if (forceScroll) toast(e.message, 'error'); });
    inflight = mine;
    return mine;
  }

  // ---- sending and acting ----
  // How many of the bot's messages went to this conversation and how many elsewhere.
  function destinations(result) {
    var addr = address();
    var here = 0, others = 0;
    (result.messages || []).forEach(function (m) {
      var to = m.to || {};
      var a = to.kind === 'person' ? 'person:' + to.personId : to.kind === 'group' ? 'group:' + to.groupId : to.kind === 'chat' && to.chat ? to.chat.chatId : null;
      if (a === addr) here++;
      else if (a) others++;
    });
    return { here: here, others: others, note: others ? '另有 ' + others + ' 条消息发给了其他人或群，切换身份或会话即可查看' : '' };
  }

  function send(text) {
    if (state.person === null) { toast('请先在左侧选择身份', 'warning'); return Promise.resolve(); }
    var body = { personId: state.person, text: text };
    if (state.group !== null) {
      body.groupId = state.group;
      if ($('at-bot').checked && text.indexOf('@调度助手') !== 0) body.text = '@调度助手 ' + text;
    }
    $('send').disabled = true;
    return api('POST', '/local/send', body).then(function (r) {
      var d = destinations(r);
      if (r.toast) toast(r.toast.text, r.toast.kind);
      else if (d.note) toast(d.note, 'info');
      return refresh(true);
    }).catch(function (e) { toast(e.message, 'error'); }).then(function () { $('send').disabled = state.person === null; });
  }

  function act(control, messageId, command, args, form) {
    if (state.person === null) { toast('请先在左侧选择身份', 'warning'); return; }
    control.disabled = true;
    var body = { personId: state.person, messageId: messageId, command: command, args: args };
    if (form) body.form = form;
    api('POST', '/local/action', body).then(function (r) {
      var d = destinations(r);
      if (r.toast) toast(r.toast.text, r.toast.kind);
      else if (r.updateCard) toast('卡片已更新', 'success');
      else if (d.note) toast(d.note, 'info');
      else if (!d.here) toast('已提交', 'success');
      return refresh(true);
    }).catch(function (e) { toast(e.message, 'error'); }).then(function () { control.disabled = false; });
  }

  function parseArgs(s) {
    try { var v = JSON.parse(s || '{}'); return v && typeof v === 'object' ? v : {}; } catch (e) { return {}; }
  }

  function messageIdOf(node) {
    var row = node.closest('[data-message-id]');
    var id = row ? Number(row.getAttribute('data-message-id')) : NaN;
    return isFinite(id) ? id : null;
  }

  /** The roster drawer at phone width (CSS shows it only there): open, close, and closed after a pick. */
  function drawer(open) {
    document.body.classList.toggle('drawer-open', open);
    $('roster-toggle').setAttribute('aria-expanded', open ? 'true' : 'false');
    $('drawer-backdrop').hidden = !open;
  }

  function wire() {
    $('roster-toggle').addEventListener('click', function () { drawer(!document.body.classList.contains('drawer-open')); });
    $('drawer-backdrop').addEventListener('click', function () { drawer(false); });
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape') drawer(false); });
    $('filter').addEventListener('input', renderRoster);
    $('roster').addEventListener('click', function (e) {
      var b = e.target.closest('[data-person-id]');
      if (!b) return;
      select(Number(b.getAttribute('data-person-id')), state.group);
      drawer(false);
    });
    $('convs').addEventListener('click', function (e) {
      var b = e.target.closest('[data-conv]');
      if (!b || b.disabled) return;
      var v = b.getAttribute('data-conv');
      select(state.person, v === 'direct' ? null : Number(v));
      drawer(false);
    });
    $('composer').addEventListener('submit', function (e) {
      e.preventDefault();
      var t = $('text');
      var text = t.value.trim();
      if (!text) return;
      t.value = '';
      send(text);
    });
    $('text').addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        $('composer').requestSubmit();
      }
    });
    $('quick').addEventListener('click', function (e) {
      var b = e.target.closest('[data-quick]');
      if (b) send(b.getAttribute('data-quick'));
    });
    var box = $('messages');
    box.addEventListener('click', function (e) {
      var b = e.target.closest('button[data-command]');
      if (!b || b.type === 'submit') return;
      var id = messageIdOf(b);
      if (id === null) return;
      act(b, id, b.getAttribute('data-command'), parseArgs(b.getAttribute('data-args')));
    });
    box.addEventListener('submit', function (e) {
      var f = e.target.closest('form[data-command]');
      if (!f) return;
      e.preventDefault();
      var id = messageIdOf(f);
      if (id === null) return;
      var form = {};
      new FormData(f).forEach(function (v, k) { if (typeof v === 'string' && v.trim() !== '') form[k] = v; });
      var btn = f.querySelector('button[type=submit]') || f;
      act(btn, id, f.getAttribute('data-command'), parseArgs(f.getAttribute('data-args')), form);
    });
  }

  function start() {
    wire();
    api('GET', '/local/roster').then(function (r) {
      state.roster = r;
      if (r.demo) {
        var b = $('demo-banner');
        b.textContent = '【演示数据】' + (r.county || '示例县') + ' · 人员、单位、项目和数字均为虚构，仅供体验调度助手';
        b.hidden = false;
      }
      var h = new URLSearchParams(location.hash.slice(1));
      var p = Number(h.get('person'));
      var g = Number(h.get('group'));
      select(personById(p) ? p : null, groupById(g) ? g : null);
      state.timer = setInterval(function () { if (!document.hidden) refresh(false); }, 2000);
    }).catch(function (e) {
      $('roster').textContent = '名册加载失败：' + e.message;
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`
