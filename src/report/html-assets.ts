// The HTML report's inline style sheet and script (see html.ts). The script is plain browser JavaScript kept as
// text (the project type-checks for Node only); it draws the views from the JSON the page embeds and needs nothing
// from the network.

export const HTML_STYLE = `
:root{--fg:#1b1f24;--muted:#4a5561;--line:#c9d1d9;--bg:#fff;--soft:#f4f6f8;--link:#0a56b0;--focus:#0a56b0}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip{position:absolute;left:-9999px;top:0}.skip:focus{left:8px;top:8px;background:#fff;padding:6px 10px;z-index:9}
header{background:#14213d;color:#fff;padding:16px 24px 8px}
header h1{margin:0 0 4px;font-size:1.5rem}header p{margin:0 0 8px;color:#e6ebf2}
header nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 18px}
header nav a{color:#fff;font-weight:600}
main{padding:8px 24px 24px;max-width:1400px}
section{margin:24px 0;padding-top:4px;border-top:1px solid var(--line)}
h2{font-size:1.25rem;margin:12px 0 8px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:0 0 16px}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px;background:var(--soft)}
.card dt{font-size:.85rem;color:var(--muted)}.card dd{margin:0;font-size:1.4rem;font-weight:700}
.card.sev-error{border-left:6px solid #b3261e}.card.sev-warning{border-left:6px solid #b36b00}.card.sev-note{border-left:6px solid #1d5fa8}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
table.entries{table-layout:fixed}
table.entries th:nth-child(1){width:8%}table.entries th:nth-child(2){width:28%}table.entries th:nth-child(3){width:22%}
table .loc{white-space:normal;overflow-wrap:break-word}
table.findings{table-layout:fixed}
table.findings th:nth-child(1){width:7em}table.findings th:nth-child(2){width:14%}table.findings th:nth-child(4){width:10%}table.findings th:nth-child(5){width:20%}
thead th{background:var(--soft);position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.controls{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end;margin:8px 0}
.controls label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted);gap:2px}
.controls label:has(input[type=checkbox]){flex-direction:row;align-items:center;gap:6px}
.controls input[type=search],.controls select{font:inherit;padding:4px 6px;border:1px solid #8c959f;border-radius:4px;min-width:12em;max-width:22em;color:var(--fg);background:#fff}
fieldset{border:1px solid var(--line);border-radius:6px;padding:2px 8px 6px;margin:0}
legend{font-size:.85rem;color:var(--muted)}
.mode-box{display:inline-flex!important;flex-direction:row!important;align-items:center;gap:4px;margin-right:8px}
button{font:inherit;cursor:pointer;border:1px solid #8c959f;border-radius:4px;background:#fff;color:var(--fg);padding:3px 10px}
button:hover{background:var(--soft)}
.count{color:var(--muted);margin:4px 0}
.mode{display:inline-block;border:1px solid;border-radius:4px;padding:1px 8px;font-weight:600;font-size:.85rem;white-space:nowrap}
button.mode{padding:1px 8px}
button.mode[aria-pressed=true]{outline:3px solid #14213d;outline-offset:1px}
.m-STRICT{background:#d1f0d9;color:#0b4d1e;border-color:#2f8f4e}
.m-PERMISSIVE{background:#fff1c2;color:#5c4200;border-color:#b58900}
.m-DISABLE{background:#fbd3d0;color:#7a1610;border-color:#c0392b}
.m-outside{background:#e8e8e8;color:#303030;border-color:#8a8a8a}
.m-bypassed{background:#ead9f7;color:#4b1f6f;border-color:#8e44ad}
.m-gateway{background:#d6e6fb;color:#123c6e;border-color:#2e6fbd}
.m-unknown{background:#fff;color:#444;border-color:#777;border-style:dashed}
details.ns{border:1px solid var(--line);border-radius:6px;margin:6px 0;background:#fff}
details.ns>summary{padding:6px 10px;cursor:pointer;background:var(--soft);border-radius:6px}
details.ns>summary .mode{margin-left:6px;font-weight:500}
.ns-body{padding:0 10px 6px}
.ns-body table{margin:4px 0}
.detail{border:2px solid #14213d;border-radius:8px;padding:6px 14px;margin:8px 0;background:#f8fafc}
.detail h3{margin:4px 0;font-size:1rem}
.graph{overflow:auto;max-height:80vh;border:1px solid var(--line);border-radius:6px}
.graph svg{display:block}
.graph text{font:12px system-ui,sans-serif;fill:#1b1f24}
.graph .node rect{fill:#f4f6f8;stroke:#8c959f}
.graph .node.src rect{fill:#eef4ff}
.graph .node.nsnode rect{fill:#e7f5ec;stroke:#2f8f4e}
.graph .node.wild rect{fill:#fff1c2;stroke:#b58900}
.graph .node[role=button]{cursor:pointer}
.graph .node[role=button]:focus rect,.graph .node[role=button]:hover rect{stroke:#0a56b0;stroke-width:3}
.graph path{fill:none;stroke-width:1.5;opacity:.8}
.graph path.allow{stroke:#3b6ea8}
.graph path.wild{stroke:#d97706;stroke-width:3}
.graph path.deny{stroke:#c0392b;stroke-dasharray:6 3;stroke-width:2}
.graph path.dry{stroke-dasharray:2 3}
.key{display:inline-block;padding:0 6px;border-bottom:3px solid;margin:0 2px}
.k-allow{border-color:#3b6ea8}.k-wild{border-color:#d97706}.k-deny{border-color:#c0392b;border-bottom-style:dashed}.k-dry{border-color:#555;border-bottom-style:dotted}
.st{display:inline-block;min-width:4.5em;font-weight:600;border-radius:4px;padding:0 6px;margin-right:4px;text-align:center}
.st-yes{background:#d1f0d9;color:#0b4d1e}.st-no{background:#fbd3d0;color:#7a1610}.st-partial{background:#fff1c2;color:#5c4200}.st-unknown,.st-na{background:#e8e8e8;color:#303030}
.sev{font-weight:700}
.sev-error .sev{color:#b3261e}.sev-warning .sev{color:#8a5200}.sev-note .sev{color:#1d5fa8}
th button.sort{border:0;background:none;padding:0;font-weight:700;color:var(--fg)}
th[aria-sort=ascending] button.sort::after{content:" ▲"}th[aria-sort=descending] button.sort::after{content:" ▼"}
pre.excerpt{margin:4px 0 0;padding:4px 8px;background:#f4f6f8;border-left:3px solid #8c959f;font-size:.85rem;white-space:pre-wrap;overflow-wrap:anywhere}
.res{color:var(--muted);font-size:.85rem}
.loc{white-space:nowrap;font-family:ui-monospace,monospace;font-size:.85rem}
.pager{display:flex;gap:10px;align-items:center}
.supp{color:var(--muted);font-style:italic}
ul.notlinted li{margin:2px 0}
footer{padding:8px 24px;color:var(--muted);border-top:1px solid var(--line)}
`;

export const HTML_CLIENT_SCRIPT = String.raw`
(function () {
'use strict';
var D = JSON.parse(document.getElementById('meshlint-data').textContent);
var P = D.posture;
var ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
function $(id) { return document.getElementById(id); }
function site(i) { var s = P && P.sites[i]; return s ? s.file + ':' + s.line : ''; }
function lower(s) { return String(s).toLowerCase(); }
/** A path that may wrap after its slashes (file:line columns stay narrow without breaking names anywhere). */
function pathHtml(s) { return esc(s).replace(/\//g, '/<wbr>'); }
var MODE_LABEL = { STRICT: 'STRICT', PERMISSIVE: 'PERMISSIVE', DISABLE: 'DISABLE', outside: 'outside the mesh', bypassed: 'bypassed', gateway: 'gateway', unknown: 'unknown' };
var MESH_LABEL = { 'istio-sidecar': 'Istio sidecar', 'istio-ambient': 'Istio ambient', linkerd: 'Linkerd', none: 'none', unknown: 'unknown' };
var NO_POSTURE = '<p>Not available: this report was made from a scan that did not draw the posture.</p>';
function modeSpan(m) { return '<span class="mode m-' + m + '">' + esc(MODE_LABEL[m] || m) + '</span>'; }

// ---------------------------------------------------------------- mTLS map
function mtlsMap() {
  var map = $('mtls-map'), q = $('mtls-q');
  if (!P || !P.namespaces.length) { map.innerHTML = P ? '<p>No workloads in the scan.</p>' : NO_POSTURE; q.disabled = true; return; }
  var active = {};
  $('mtls-modes').innerHTML = D.modes.map(function (m) {
    active[m] = true;
    return '<label class="mode-box"><input type="checkbox" value="' + m + '" checked>' + modeSpan(m) + '</label>';
  }).join('');
  var total = 0;
  P.namespaces.forEach(function (ns) { total += ns.workloads.length; });
  var openAll = total <= 200;
  map.innerHTML = P.namespaces.map(function (ns, n) {
    return '<details class="ns" data-n="' + n + '"' + (openAll ? ' open' : '') + '><summary></summary><div class="ns-body"></div></details>';
  }).join('');
  var sections = map.querySelectorAll('details.ns');
  var selected = null;
  function rowsOf(n, query) {
    var ns = P.namespaces[n], rows = [];
    var nsMatch = !query || lower(ns.name).indexOf(query) >= 0;
    ns.workloads.forEach(function (w, wi) {
      if (!nsMatch && lower(w.kind + ' ' + w.name + ' ' + w.serviceAccount).indexOf(query) < 0) return;
      w.ports.forEach(function (p, pi) { if (active[p.mode]) rows.push([wi, pi]); });
    });
    return rows;
  }
  function summaryOf(n, rows) {
    var ns = P.namespaces[n], counts = {}, ws = {};
    rows.forEach(function (r) { var m = ns.workloads[r[0]].ports[r[1]].mode; counts[m] = (counts[m] || 0) + 1; ws[r[0]] = 1; });
    var parts = D.modes.filter(function (m) { return counts[m]; }).map(function (m) { return '<span class="mode m-' + m + '">' + counts[m] + ' ' + esc(MODE_LABEL[m]) + '</span>'; });
    return '<strong>' + esc(ns.name) + '</strong> \u2014 ' + Object.keys(ws).length + ' workload' + (Object.keys(ws).length === 1 ? '' : 's') + ', ' + rows.length + ' port' + (rows.length === 1 ? '' : 's') + ' ' + parts.join('');
  }
  function bodyOf(n, rows) {
    var ns = P.namespaces[n], last = -1;
    var out = '<table><caption class="visually-hidden">Namespace ' + esc(ns.name) + '</caption><thead><tr><th scope="col">Workload</th><th scope="col">Mesh</th><th scope="col">Port</th><th scope="col">Mode</th></tr></thead><tbody>';
    rows.forEach(function (r) {
      var w = ns.workloads[r[0]], p = w.ports[r[1]];
      var first = r[0] !== last; last = r[0];
      var port = p.port === null ? 'all (none declared)' : p.port + (p.name ? ' (' + esc(p.name) + ')' : '') + (p.container ? ' <span class="res">' + esc(p.container) + '</span>' : '');
      out += '<tr data-w="' + r[0] + '"><th scope="row">' + (first ? esc(w.kind + ' ' + w.name) + '<br><span class="loc res">' + pathHtml(site(w.at)) + '</span>' : '<span class="visually-hidden">' + esc(w.kind + ' ' + w.name) + '</span>') + '</th><td>' + (first ? esc(MESH_LABEL[w.mesh] || w.mesh) : '') + '</td><td>' + port + '</td><td><button type="button" class="mode m-' + p.mode + '" aria-pressed="false" data-n="' + n + '" data-w="' + r[0] + '" data-p="' + r[1] + '" aria-label="' + esc(w.kind + ' ' + w.name + ' port ' + (p.port === null ? 'all' : p.port) + ': ' + (MODE_LABEL[p.mode] || p.mode)) + '">' + esc(MODE_LABEL[p.mode] || p.mode) + '</button></td></tr>';
    });
    return out + '</tbody></table>';
  }
  var current = [];
  function render() {
    var query = lower(q.value.trim()), shownNs = 0, shownPorts = 0;
    current = [];
    for (var n = 0; n < sections.length; n++) {
      var rows = rowsOf(n, query), el = sections[n];
      current[n] = rows;
      el.hidden = rows.length === 0;
      if (!rows.length) continue;
      shownNs++; shownPorts += rows.length;
      el.querySelector('summary').innerHTML = summaryOf(n, rows);
      if (query && !el.open && shownNs <= 20) el.open = true;
      var body = el.querySelector('.ns-body');
      if (el.open) body.innerHTML = bodyOf(n, rows); else body.innerHTML = '';
    }
    $('mtls-count').textContent = shownPorts + ' port' + (shownPorts === 1 ? '' : 's') + ' in ' + shownNs + ' namespace' + (shownNs === 1 ? '' : 's') + ' shown.';
  }
  map.addEventListener('toggle', function (e) {
    var el = e.target;
    if (!el.matches || !el.matches('details.ns')) return;
    var n = +el.getAttribute('data-n');
    el.querySelector('.ns-body').innerHTML = el.open && current[n] ? bodyOf(n, current[n]) : '';
  }, true);
  map.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('button.mode');
    if (!b) return;
    if (selected) selected.setAttribute('aria-pressed', 'false');
    selected = b; b.setAttribute('aria-pressed', 'true');
    var ns = P.namespaces[+b.getAttribute('data-n')], w = ns.workloads[+b.getAttribute('data-w')], p = w.ports[+b.getAttribute('data-p')];
    var html = '<h3>' + esc(w.kind + ' ' + w.namespace + '/' + w.name) + (p.port === null ? ', every port' : ', port ' + p.port + (p.name ? ' (' + esc(p.name) + ')' : '')) + ': ' + modeSpan(p.mode) + '</h3>';
    html += '<p>' + esc(p.why) + '</p>';
    html += p.decidedBy ? '<p>Decided by <strong>' + esc(p.decidedBy.name) + '</strong> at <code class="decided-at">' + esc(site(p.decidedBy.at)) + '</code>.</p>' : '<p>No policy decided it.</p>';
    html += '<p class="res">Workload at <code>' + esc(site(w.at)) + '</code>; service account ' + esc(w.serviceAccount) + '; mesh: ' + esc(MESH_LABEL[w.mesh] || w.mesh) + '.</p>';
    $('mtls-detail').innerHTML = html;
  });
  map.addEventListener('keydown', function (e) {
    if (['ArrowDown', 'ArrowUp', 'Home', 'End'].indexOf(e.key) < 0) return;
    var b = e.target.closest && e.target.closest('button.mode');
    if (!b) return;
    var all = Array.prototype.slice.call(map.querySelectorAll('button.mode'));
    var i = all.indexOf(b);
    var next = e.key === 'Home' ? 0 : e.key === 'End' ? all.length - 1 : e.key === 'ArrowDown' ? Math.min(all.length - 1, i + 1) : Math.max(0, i - 1);
    all[next].focus();
    e.preventDefault();
  });
  q.addEventListener('input', render);
  $('mtls-modes').addEventListener('change', function (e) { active[e.target.value] = e.target.checked; render(); });
  render();
}

// ---------------------------------------------------------------- authorization graph
function authzGraph() {
  var holder = $('authz-graph'), q = $('authz-q');
  if (!P || !P.authz.grants.length) {
    holder.innerHTML = P ? '<p>No authorization policy selects a workload of the scan.</p>' : NO_POSTURE;
    $('authz-table').innerHTML = '<p>None.</p>';
    q.disabled = true; $('authz-expand').disabled = true; $('authz-collapse').disabled = true;
    return;
  }
  var sources = {};
  P.authz.sources.forEach(function (s) { sources[s.id] = s; });
  var targetsAll = {};
  P.authz.grants.forEach(function (g) { g.targets.forEach(function (t) { targetsAll[t] = 1; }); });
  var fold = Object.keys(targetsAll).length > 40;
  var unfolded = {};
  function nsOf(wid) { return wid.split('/')[1]; }
  var KIND_ORDER = { any: 0, unauthenticated: 1, authenticated: 2, network: 3, jwt: 4, namespace: 5, principal: 6 };
  var ROW = 26, W = 980, LW = 330, RX = 640;
  function render() {
    var query = lower(q.value.trim());
    var left = {}, right = {}, edges = {};
    var edgeCount = 0, capped = false;
    P.authz.grants.forEach(function (g) {
      g.sources.forEach(function (sid) {
        var s = sources[sid];
        var folded = fold && s.namespace && !unfolded[s.namespace];
        var lid = folded ? 'sn:' + s.namespace : 's:' + sid;
        var llabel = folded ? 'callers in ' + s.namespace : s.label;
        g.targets.forEach(function (t) {
          var ns = nsOf(t);
          var tf = fold && !unfolded[ns];
          var rid = tf ? 'n:' + ns : 'w:' + t;
          var rlabel = tf ? ns + ' (namespace)' : t.split('/')[0] + ' ' + ns + '/' + t.split('/').slice(2).join('/');
          if (query && lower(llabel + ' ' + rlabel + ' ' + g.policy + ' ' + t).indexOf(query) < 0) return;
          var cls = g.action === 'DENY' ? 'deny' : (g.allowAll || s.wildcard) ? 'wild' : 'allow';
          if (g.dryRun) cls += ' dry';
          var key = lid + '|' + rid + '|' + cls;
          var e = edges[key];
          if (!e) {
            if (edgeCount >= 3000) { capped = true; return; }
            edgeCount++;
            e = edges[key] = { l: lid, r: rid, cls: cls, policies: {} };
          }
          e.policies[g.policy + ' (' + g.action + ')'] = 1;
          if (!left[lid]) left[lid] = { id: lid, label: llabel, kind: folded ? 'namespace' : s.kind, wild: !folded && s.wildcard, ns: folded ? s.namespace : null, order: folded ? 7 : KIND_ORDER[s.kind] };
          if (!right[rid]) right[rid] = { id: rid, label: rlabel, ns: ns, folded: tf };
        });
      });
    });
    var L = Object.keys(left).map(function (k) { return left[k]; }).sort(function (a, b) { return a.order - b.order || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0); });
    var R = Object.keys(right).map(function (k) { return right[k]; }).sort(function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; });
    var ly = {}, ry = {};
    L.forEach(function (n, i) { ly[n.id] = 20 + i * ROW; });
    R.forEach(function (n, i) { ry[n.id] = 20 + i * ROW; });
    var H = 30 + Math.max(L.length, R.length, 1) * ROW;
    var svg = '<svg xmlns="http://www.w3.org/2000/svg" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + ' ' + H + '" role="group" aria-label="Authorization graph: ' + L.length + ' callers, ' + R.length + ' targets, ' + edgeCount + ' edges">';
    Object.keys(edges).forEach(function (k) {
      var e = edges[k], y1 = ly[e.l] + 9, y2 = ry[e.r] + 9, mx = (LW + RX) / 2;
      svg += '<path class="' + e.cls + '" d="M' + LW + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + RX + ',' + y2 + '"><title>' + esc(Object.keys(e.policies).join(', ')) + '</title></path>';
    });
    // Labels are clipped to their box, not shortened: the accessible name then contains the visible text.
    svg += '<defs><clipPath id="authz-clip-left"><rect x="4" y="0" width="' + (LW - 12) + '" height="' + H + '"></rect></clipPath><clipPath id="authz-clip-right"><rect x="' + RX + '" y="0" width="' + (W - RX - 12) + '" height="' + H + '"></rect></clipPath></defs>';
    function node(n, x, y, width, side) {
      var toggles = side === 'right' ? (fold ? n.ns : null) : n.ns;
      var cls = 'node ' + (side === 'left' ? 'src' : '') + (n.wild ? ' wild' : '') + ((side === 'right' && n.folded) || (side === 'left' && n.ns) ? ' nsnode' : '');
      var attrs = toggles ? ' role="button" tabindex="0" data-ns="' + esc(toggles) + '" aria-label="' + esc(n.label + ': select to ' + (unfolded[toggles] ? 'fold' : 'unfold') + ' namespace ' + toggles) + '"' : '';
      return '<g class="' + cls + '"' + attrs + '><title>' + esc(n.label) + '</title><rect x="' + x + '" y="' + y + '" width="' + width + '" height="20" rx="4"></rect><text clip-path="url(#authz-clip-' + side + ')" x="' + (x + 6) + '" y="' + (y + 14) + '">' + esc(n.label) + '</text></g>';
    }
    L.forEach(function (n) { svg += node(n, 4, ly[n.id], LW - 4, 'left'); });
    R.forEach(function (n) { svg += node(n, RX, ry[n.id], W - RX - 4, 'right'); });
    svg += '</svg>';
    holder.innerHTML = L.length ? svg : '<p>No edge matches.</p>';
    $('authz-count').textContent = L.length + ' callers, ' + R.length + ' targets, ' + edgeCount + ' edges shown' + (capped ? ' (the first 3000: narrow with the filter)' : '') + '.';
  }
  function toggle(ns) { if (!ns) return; unfolded[ns] = !unfolded[ns]; render(); var again = holder.querySelector('[data-ns="' + CSS.escape(ns) + '"]'); if (again) again.focus(); }
  holder.addEventListener('click', function (e) { var g = e.target.closest && e.target.closest('[data-ns]'); if (g) toggle(g.getAttribute('data-ns')); });
  holder.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    var g = e.target.closest && e.target.closest('[data-ns]');
    if (g) { e.preventDefault(); toggle(g.getAttribute('data-ns')); }
  });
  q.addEventListener('input', render);
  $('authz-expand').addEventListener('click', function () { P.namespaces.forEach(function (ns) { unfolded[ns.name] = true; }); P.authz.sources.forEach(function (s) { if (s.namespace) unfolded[s.namespace] = true; }); render(); });
  $('authz-collapse').addEventListener('click', function () { unfolded = {}; fold = true; render(); });
  render();
  function list(ids, label, max) {
    var shown = ids.slice(0, max).map(label).map(esc).join(', ');
    return ids.length > max ? shown + ' (+' + (ids.length - max) + ' more)' : shown;
  }
  var rows = P.authz.grants.map(function (g) {
    return '<tr><th scope="row">' + esc(g.policy) + (g.dryRun ? ' <span class="res">(dry run)</span>' : '') + '</th><td>' + esc(g.action) + (g.allowAll ? ', every request' : g.conditional ? ', some requests' : '') + '</td><td>' + list(g.sources, function (id) { return sources[id].label; }, 8) + '</td><td>' + list(g.targets, function (t) { return t; }, 8) + '</td><td class="loc">' + pathHtml(site(g.at)) + '</td></tr>';
  });
  P.authz.allowNothing.forEach(function (a) { rows.push('<tr><th scope="row">' + esc(a.policy) + '</th><td>ALLOW nothing (no rules)</td><td>nobody</td><td>' + esc(a.workload) + '</td><td class="loc">' + pathHtml(site(a.at)) + '</td></tr>'); });
  $('authz-table').innerHTML = '<table><thead><tr><th scope="col">Policy</th><th scope="col">Action</th><th scope="col">Callers</th><th scope="col">Workloads</th><th scope="col">Where</th></tr></thead><tbody>' + rows.join('') + '</tbody></table>';
}

// ---------------------------------------------------------------- entry points
/** Previous / next page buttons; focus stays on the pager after a click. */
function pager(el, page, pages, go) {
  el.innerHTML = pages > 1 ? '<button type="button" data-page="-1"' + (page === 0 ? ' disabled' : '') + '>Previous page</button><span>Page ' + (page + 1) + ' of ' + pages + '</span><button type="button" data-page="1"' + (page >= pages - 1 ? ' disabled' : '') + '>Next page</button>' : '';
  el.onclick = function (e) {
    var b = e.target.closest && e.target.closest('button[data-page]');
    if (!b) return;
    var step = b.getAttribute('data-page');
    go(page + +step);
    var again = el.querySelector('button[data-page="' + step + '"]:not([disabled])') || el.querySelector('button:not([disabled])');
    if (again) again.focus();
  };
}

function entryPoints() {
  var el = $('entry-table'), PAGE = 100;
  if (!P || !P.entryPoints.length) {
    el.innerHTML = P ? '<p>No Envoy listener or Kong route in the scan.</p>' : NO_POSTURE;
    ['entry-q', 'entry-kind', 'entry-gap'].forEach(function (id) { $(id).disabled = true; });
    return;
  }
  function st(s) { return '<span class="st st-' + (s.state === 'n/a' ? 'na' : s.state) + '">' + esc(s.state) + '</span> ' + esc(s.detail); }
  var rows = [];
  function draw(page) {
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    el.innerHTML = '<table class="entries"><thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Listens on / matches</th><th scope="col">TLS</th><th scope="col">Authentication</th><th scope="col">Rate limit</th></tr></thead><tbody>' +
      rows.slice(page * PAGE, page * PAGE + PAGE).map(function (e) {
        return '<tr><td>' + (e.kind === 'envoy-listener' ? 'Envoy listener' : 'Kong route') + '</td><th scope="row">' + esc(e.name) + '<br><span class="loc">' + pathHtml(site(e.at)) + '</span></th><td>' + esc(e.match) + (e.local ? ' <span class="res">(local only)</span>' : '') + '</td><td>' + st(e.tls) + '</td><td>' + st(e.auth) + '</td><td>' + st(e.rateLimit) + '</td></tr>';
      }).join('') + '</tbody></table>';
    pager($('entry-pager'), page, pages, draw);
  }
  function filter() {
    var q = lower($('entry-q').value.trim()), kind = $('entry-kind').value, gap = $('entry-gap').value;
    rows = P.entryPoints.filter(function (e) {
      if (kind && e.kind !== kind) return false;
      if (gap && e[gap].state !== 'no' && e[gap].state !== 'partial') return false;
      return !q || lower(e.name + ' ' + e.match + ' ' + site(e.at)).indexOf(q) >= 0;
    });
    $('entry-count').textContent = rows.length + ' of ' + P.entryPoints.length + ' entry points shown.';
    draw(0);
  }
  $('entry-q').addEventListener('input', filter);
  $('entry-kind').addEventListener('change', filter);
  $('entry-gap').addEventListener('change', filter);
  filter();
}

// ---------------------------------------------------------------- findings
function findings() {
  var F = D.findings, PAGE = 100, page = 0, sortKey = 'severity', sortDir = 1, rows = [];
  var sel = { severity: $('f-severity'), rule: $('f-rule'), namespace: $('f-namespace'), file: $('f-file') };
  function options(select, labels, counts) {
    select.insertAdjacentHTML('beforeend', labels.map(function (l, i) { return counts[i] ? '<option value="' + i + '">' + esc(l) + ' (' + counts[i] + ')</option>' : ''; }).join(''));
  }
  function countBy(col, n) { var c = new Array(n).fill(0); F.forEach(function (f) { if (f[col] >= 0) c[f[col]]++; }); return c; }
  options(sel.severity, D.severities, countBy(1, D.severities.length));
  options(sel.rule, D.rules.map(function (r) { return r[0]; }), countBy(0, D.rules.length));
  var nsOrder = D.namespaces.map(function (n, i) { return [n, i]; }).sort();
  var nsCounts = countBy(6, D.namespaces.length);
  sel.namespace.insertAdjacentHTML('beforeend', nsOrder.map(function (p) { return '<option value="' + p[1] + '">' + esc(p[0]) + ' (' + nsCounts[p[1]] + ')</option>'; }).join(''));
  options(sel.file, D.files, countBy(2, D.files.length));
  var cmp = {
    severity: function (a, b) { return a[1] - b[1] || loc(a, b); },
    rule: function (a, b) { return D.rules[a[0]][0] < D.rules[b[0]][0] ? -1 : D.rules[a[0]][0] > D.rules[b[0]][0] ? 1 : a[1] - b[1] || loc(a, b); },
    namespace: function (a, b) { var x = a[6] < 0 ? '' : D.namespaces[a[6]], y = b[6] < 0 ? '' : D.namespaces[b[6]]; return x < y ? -1 : x > y ? 1 : a[1] - b[1] || loc(a, b); },
    location: function (a, b) { return loc(a, b); },
  };
  function loc(a, b) { var x = D.files[a[2]], y = D.files[b[2]]; return x < y ? -1 : x > y ? 1 : a[3] - b[3] || a[4] - b[4]; }
  function filter() {
    var s = sel.severity.value, r = sel.rule.value, n = sel.namespace.value, f = sel.file.value;
    var q = lower($('f-q').value.trim()), supp = $('f-suppressed').checked;
    rows = F.filter(function (x) {
      if (!supp && x[7]) return false;
      if (s !== '' && x[1] !== +s) return false;
      if (r !== '' && x[0] !== +r) return false;
      if (n !== '' && x[6] !== +n) return false;
      if (f !== '' && x[2] !== +f) return false;
      if (q && lower(x[5] + ' ' + D.rules[x[0]][0] + ' ' + D.files[x[2]] + ' ' + x[8]).indexOf(q) < 0) return false;
      return true;
    });
    rows.sort(function (a, b) { return sortDir * cmp[sortKey](a, b); });
    page = 0;
    draw();
  }
  function header(key, label) {
    var aria = sortKey === key ? ' aria-sort="' + (sortDir > 0 ? 'ascending' : 'descending') + '"' : '';
    return '<th scope="col"' + aria + '><button type="button" class="sort" data-sort="' + key + '">' + label + '</button></th>';
  }
  function excerpt(x) {
    var file = D.files[x[2]], out = [];
    var lines = [], indent = Infinity;
    for (var line = x[3]; line < x[3] + 3 && line <= x[9]; line++) {
      var text = D.excerpts[file + ':' + line];
      if (text === undefined) break;
      lines.push([line, text]);
      if (text.trim()) indent = Math.min(indent, text.length - text.replace(/^\s+/, '').length);
    }
    lines.forEach(function (l) { out.push(String(l[0]).padStart(5, ' ') + ' \u2502 ' + l[1].slice(indent === Infinity ? 0 : indent)); });
    return out.length ? '<pre class="excerpt"><code>' + esc(out.join('\n')) + '</code></pre>' : '';
  }
  function draw() {
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    var slice = rows.slice(page * PAGE, page * PAGE + PAGE);
    var body = slice.map(function (x) {
      var sev = D.severities[x[1]], rule = D.rules[x[0]];
      return '<tr class="sev-' + sev + '"><td><span class="sev">' + sev + '</span>' + (x[7] ? '<br><span class="supp">suppressed</span>' : '') + '</td><td><a href="' + esc(rule[2]) + '" title="' + esc(rule[1]) + '">' + esc(rule[0]) + '</a></td><td>' + esc(x[5]) + (x[8] ? ' <span class="res">(' + esc(x[8]) + ')</span>' : '') + excerpt(x) + '</td><td>' + (x[6] < 0 ? '' : esc(D.namespaces[x[6]])) + '</td><td class="loc">' + pathHtml(D.files[x[2]] + ':' + x[3] + ':' + x[4]) + '</td></tr>';
    }).join('');
    $('f-table').innerHTML = '<table class="findings"><caption>Findings, page ' + (page + 1) + ' of ' + pages + '</caption><thead><tr>' + header('severity', 'Severity') + header('rule', 'Rule') + '<th scope="col">Message</th>' + header('namespace', 'Namespace') + header('location', 'Location') + '</tr></thead><tbody>' + body + '</tbody></table>';
    $('f-count').textContent = rows.length + ' finding' + (rows.length === 1 ? '' : 's') + ' match' + (rows.length === 1 ? 'es' : '') + ' (of ' + F.length + ').';
    pager($('f-pager'), page, pages, function (p) { page = p; draw(); });
  }
  $('f-table').addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('button[data-sort]');
    if (!b) return;
    var key = b.getAttribute('data-sort');
    if (key === sortKey) sortDir = -sortDir; else { sortKey = key; sortDir = 1; }
    filter();
    var again = $('f-table').querySelector('button[data-sort="' + key + '"]');
    if (again) again.focus();
  });
  ['f-severity', 'f-rule', 'f-namespace', 'f-file', 'f-suppressed'].forEach(function (id) { $(id).addEventListener('change', filter); });
  $('f-q').addEventListener('input', filter);
  filter();
}

mtlsMap();
authzGraph();
entryPoints();
findings();
document.documentElement.setAttribute('data-ready', 'true');
})();
`;
