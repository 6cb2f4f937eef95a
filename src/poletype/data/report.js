/* poletype screening report: the list of applicants (search, filters, sort, pages) and
   each applicant's sheet opened on demand. No network, no library. The state lives in
   the URL fragment: #liste?q=...&o=TYPOLOGY:OUTCOME&c=TYPOLOGY:CRITERION&cs=STATUS
   &s=row|name|questions|outcome:TYPOLOGY|score:TYPOLOGY&d=asc|desc&p=PAGE&n=SIZE&ch=1 */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("pt-data").textContent);
  var W = D.w, T = D.t, R = D.r;
  var DEF = { q: "", o: "", c: "", cs: "not_met", s: "row", d: "", p: 1, n: 50, ch: "" };
  var CH = { met: "m", not_met: "n", unknown: "u" };
  var st = Object.assign({}, DEF), lastList = "#liste", order = [], sheets = null;
  function $(id) { return document.getElementById(id); }
  function fold(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  function tx(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function fmt(s, o) { return s.replace(/\{(\w+)\}/g, function (_, k) { return o[k]; }); }
  R.forEach(function (r) { r.k = fold([r.r, r.i, r.n, r.s].join(" ")); });
  var byAnchor = {};
  R.forEach(function (r, i) { byAnchor[r.a] = i; });
  var tIndex = {};
  T.forEach(function (t, i) { tIndex[t.id] = i; });

  function parse(h) {
    var s = Object.assign({}, DEF), i = h.indexOf("?");
    if (i < 0) return s;
    new URLSearchParams(h.slice(i + 1)).forEach(function (v, k) {
      if (!(k in DEF)) return;
      if (k === "p" || k === "n") { var x = parseInt(v, 10); s[k] = isNaN(x) || x < 0 ? DEF[k] : x; }
      else s[k] = v;
    });
    return s;
  }
  function hashOf(s) {
    var u = new URLSearchParams();
    Object.keys(DEF).forEach(function (k) { if (String(s[k]) !== String(DEF[k])) u.set(k, s[k]); });
    var q = u.toString();
    return "#liste" + (q ? "?" + q : "");
  }
  function desc() { return st.d ? st.d === "desc" : st.s.indexOf("score:") === 0; }

  function matches(r) {
    if (st.q && r.k.indexOf(fold(st.q)) < 0) return false;
    if (st.ch && !r.c) return false;
    if (st.o) {
      if (st.o === "error") { if (r.f) return false; }
      else {
        var p = st.o.split(":"), ti = tIndex[p[0]];
        if (!r.f || ti === undefined || r.f[ti][0] !== p[1]) return false;
      }
    }
    if (st.c) {
      var q = st.c.split(":"), tj = tIndex[q[0]];
      if (!r.f || tj === undefined) return false;
      var ci = T[tj].c.indexOf(q[1]);
      if (ci < 0 || r.f[tj][3].charAt(ci) !== (CH[st.cs] || "n")) return false;
    }
    return true;
  }
  function key(r) {
    var p = st.s.split(":"), ti = tIndex[p[1]];
    if (p[0] === "name") return fold(r.n);
    if (p[0] === "questions") return r.f ? r.q : -1;
    if (p[0] === "outcome") return r.f && ti !== undefined ? T[ti].o[r.f[ti][0]][2] : 99;
    if (p[0] === "score") {
      var sc = r.f && ti !== undefined ? r.f[ti][2] : null;
      return sc ? sc[0] * 1000 + sc[1] : -1;
    }
    return 0;
  }
  function compute() {
    var rows = [];
    R.forEach(function (r, i) { if (matches(r)) rows.push(i); });
    var sign = desc() ? -1 : 1;
    var keys = rows.map(function (i) { return key(R[i]); });
    var idx = rows.map(function (_, j) { return j; });
    idx.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      if (x < y) return -sign;
      if (x > y) return sign;
      return rows[a] - rows[b];
    });
    order = idx.map(function (j) { return rows[j]; });
  }

  function badge(t, code) {
    var o = T[t].o[code] || [code, "indeterminate"];
    return tx("span", o[0], "badge " + o[1]);
  }
  function cell(tr, text, cls) { var td = tx("td", text, cls); tr.appendChild(td); return td; }
  function line(i) {
    var r = R[i], tr = document.createElement("tr");
    tr.dataset.row = r.r;
    cell(tr, String(r.r), "num");
    var td = cell(tr, null, "name"), a = tx("a", r.n);
    a.href = "#" + r.a;
    td.appendChild(a);
    if (r.i && r.i !== r.n) { td.appendChild(document.createTextNode(" ")); td.appendChild(tx("span", r.i, "muted")); }
    if (r.s) td.appendChild(tx("span", " · " + r.s, "muted"));
    if (r.c) { var m = tx("span", "Δ", "mark"); m.title = r.c; td.appendChild(document.createTextNode(" ")); td.appendChild(m); }
    T.forEach(function (t, ti) {
      var c = cell(tr, null, "outcome");
      if (!r.f) { c.appendChild(tx("span", W.error || "Erreur", "badge error")); if (t.sc) cell(tr, "—", "num"); return; }
      var f = r.f[ti];
      c.appendChild(badge(ti, f[0]));
      if (f[1].length) {
        // One grid: each reason spelt out on its line; several: codes, their label on hover.
        var l = tx("span", null, "lacks"), spell = T.length === 1;
        f[1].forEach(function (id, n) {
          var ab = tx("abbr", id);
          ab.title = (t.cl[id] || id) + " (" + t.w[t.x.indexOf(id) < 0 ? 0 : 1] + ")";
          if (spell) {
            var why = tx("span", null, "reason");
            why.appendChild(ab);
            if (t.cl[id]) why.appendChild(document.createTextNode(" " + t.cl[id]));
            l.appendChild(why);
            return;
          }
          if (n) l.appendChild(document.createTextNode(", "));
          l.appendChild(ab);
        });
        c.appendChild(l);
      }
      if (t.sc) {
        var sc = f[2], s = cell(tr, sc ? sc[0] + "/" + sc[2] : "—", "num score");
        if (sc && sc[1]) s.appendChild(tx("small", fmt(W.unknown_n, { n: sc[1] })));
        s.title = W.score_title;
      }
    });
    cell(tr, r.f ? String(r.q) : "—", "num");
    return tr;
  }
  function head() {
    var tr = document.createElement("tr");
    function th(text, sortKey, cls, title) {
      var h = tx("th", text, cls);
      if (title) h.title = title;
      if (sortKey) {
        h.dataset.sort = sortKey;
        h.tabIndex = 0;
        if (st.s === sortKey) h.setAttribute("aria-sort", desc() ? "descending" : "ascending");
      }
      tr.appendChild(h);
    }
    th(W.row, "row", "num");
    th(W.applicant, "name");
    T.forEach(function (t) {
      th(t.title, "outcome:" + t.id, "typ", t.id);
      if (t.sc) th(W.score, "score:" + t.id, "num", W.score_title);
    });
    th(W.questions, "questions", "num");
    var thead = $("pt-list").tHead;
    thead.textContent = "";
    thead.appendChild(tr);
  }
  function draw(all) {
    compute();
    head();
    var size = st.n > 0 ? st.n : order.length || 1;
    var pages = Math.max(1, Math.ceil(order.length / size));
    if (st.p > pages) st.p = pages;
    if (st.p < 1) st.p = 1;
    var shown = all ? order : order.slice((st.p - 1) * size, st.p * size);
    var body = $("pt-list").tBodies[0], frag = document.createDocumentFragment();
    shown.forEach(function (i) { frag.appendChild(line(i)); });
    if (!shown.length) { var tr = document.createElement("tr"), td = tx("td", W.none, "muted"); td.colSpan = 99; tr.appendChild(td); frag.appendChild(tr); }
    body.textContent = "";
    body.appendChild(frag);
    $("pt-count").textContent = fmt(W.shown, { n: order.length, total: R.length });
    var pager = $("pt-pager");
    pager.textContent = "";
    if (pages > 1 && !all) {
      var prev = tx("button", W.previous), next = tx("button", W.next);
      prev.type = next.type = "button";
      prev.disabled = st.p <= 1;
      next.disabled = st.p >= pages;
      prev.onclick = function () { go({ p: st.p - 1 }); };
      next.onclick = function () { go({ p: st.p + 1 }); };
      pager.appendChild(prev);
      pager.appendChild(tx("span", fmt(W.page, { p: st.p, pages: pages })));
      pager.appendChild(next);
    }
    sync();
  }
  function sync() {
    $("pt-q").value = st.q;
    $("pt-o").value = st.o;
    $("pt-c").value = st.c;
    $("pt-cs").value = st.cs;
    $("pt-s").value = st.s;
    $("pt-d").checked = desc();
    $("pt-n").value = String(st.n);
    if ($("pt-ch")) $("pt-ch").checked = !!st.ch;
  }
  function go(change) {
    var next = Object.assign({}, st, change);
    if (!("p" in change)) next.p = 1;
    var h = hashOf(next);
    if (location.hash === h) { st = next; draw(); }
    else location.hash = h;
  }
  function option(select, value, text) { var o = tx("option", text); o.value = value; select.appendChild(o); }
  function group(select, label) { var g = document.createElement("optgroup"); g.label = label; select.appendChild(g); return g; }
  function controls() {
    var o = $("pt-o"), c = $("pt-c"), cs = $("pt-cs"), s = $("pt-s"), n = $("pt-n");
    option(o, "", W.any);
    T.forEach(function (t) {
      var g = group(o, t.title);
      Object.keys(t.o).forEach(function (code) { option(g, t.id + ":" + code, t.o[code][0]); });
    });
    option(o, "error", W.error || "Erreur");
    option(c, "", W.any_criterion);
    T.forEach(function (t) {
      if (!t.c.length) return;
      var g = group(c, t.title);
      t.c.forEach(function (id) { option(g, t.id + ":" + id, id + (t.cl[id] ? " — " + t.cl[id] : "")); });
    });
    ["not_met", "met", "unknown"].forEach(function (k) { option(cs, k, W[k]); });
    option(s, "row", W.by_row);
    option(s, "name", W.by_name);
    T.forEach(function (t) {
      var g = group(s, t.title);
      option(g, "outcome:" + t.id, W.by_outcome);
      if (t.sc) option(g, "score:" + t.id, W.by_score);
    });
    option(s, "questions", W.by_questions);
    [25, 50, 100, 200, 0].forEach(function (k) { option(n, String(k), k ? String(k) : W.all); });
    var timer = null;
    $("pt-q").addEventListener("input", function (e) {
      clearTimeout(timer);
      var v = e.target.value;
      timer = setTimeout(function () { go({ q: v }); }, 200);
    });
    o.onchange = function () { go({ o: o.value }); };
    c.onchange = function () { go({ c: c.value }); };
    cs.onchange = function () { go({ cs: cs.value }); };
    s.onchange = function () { go({ s: s.value, d: "" }); };
    $("pt-d").onchange = function (e) { go({ d: e.target.checked ? "desc" : "asc" }); };
    n.onchange = function () { go({ n: parseInt(n.value, 10) }); };
    if ($("pt-ch")) $("pt-ch").onchange = function (e) { go({ ch: e.target.checked ? "1" : "" }); };
    $("pt-reset").onclick = function () { location.hash = "#liste"; };
    $("pt-print").onclick = function () { window.print(); };
    $("pt-print-sheets").onclick = printSheets;
    $("pt-list").tHead.addEventListener("click", function (e) {
      var k = e.target.closest("th") && e.target.closest("th").dataset.sort;
      if (!k) return;
      go(st.s === k ? { s: k, d: desc() ? "asc" : "desc" } : { s: k, d: "" });
    });
  }

  function loadSheets() {
    if (sheets) return sheets;
    if (typeof DecompressionStream === "undefined") return Promise.reject(new Error("old"));
    var bin = atob($("pt-sheets").textContent.trim()), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    sheets = new Response(stream).text().then(JSON.parse);
    return sheets;
  }
  function nav(i) {
    var p = document.createElement("nav"), pos = order.indexOf(i);
    p.className = "sheet-nav noprint";
    var back = tx("a", "↑ " + W.back);
    back.href = lastList;
    p.appendChild(back);
    function link(j, text) {
      var a = tx("a", text);
      if (j === undefined) { a.className = "off"; } else a.href = "#" + R[j].a;
      p.appendChild(a);
    }
    link(pos > 0 ? order[pos - 1] : undefined, W.prev_applicant);
    link(pos >= 0 && pos < order.length - 1 ? order[pos + 1] : undefined, W.next_applicant);
    var pr = tx("button", W.print_one);
    pr.type = "button";
    pr.onclick = function () { window.print(); };
    p.appendChild(pr);
    return p;
  }
  function show(i) {
    var d = $("detail");
    document.body.classList.add("viewing");
    d.textContent = "";
    d.appendChild(tx("p", W.loading, "muted"));
    loadSheets().then(function (all) {
      d.textContent = "";
      d.appendChild(nav(i));
      var holder = document.createElement("div");
      holder.innerHTML = all[i];
      d.appendChild(holder);
      window.scrollTo(0, 0);
    }, function () { d.textContent = ""; d.appendChild(tx("p", W.old_browser, "asks")); });
  }
  function printSheets() {
    loadSheets().then(function (all) {
      var area = $("print-area");
      area.innerHTML = order.map(function (i) { return all[i]; }).join("");
      document.body.classList.add("sheets");
      window.print();
    }, function () { alert(W.old_browser); });
  }
  window.addEventListener("afterprint", function () {
    if (document.body.classList.contains("sheets")) {
      document.body.classList.remove("sheets");
      $("print-area").textContent = "";
    } else if (!document.body.classList.contains("viewing")) draw();
  });
  window.addEventListener("beforeprint", function () {
    if (!document.body.classList.contains("sheets") && !document.body.classList.contains("viewing")) draw(true);
  });

  function route() {
    var h = decodeURIComponent(location.hash.slice(1));
    if (h in byAnchor) { if (!order.length) compute(); show(byAnchor[h]); return; }
    document.body.classList.remove("viewing");
    $("detail").textContent = "";
    if (h === "liste" || h.indexOf("liste?") === 0) {
      st = parse(h);
      lastList = location.hash;
      draw();
      return;
    }
    draw();
  }
  controls();
  window.addEventListener("hashchange", route);
  route();
  /* When the list was first drawn, in ms since navigation began: the tests read it. */
  document.body.dataset.drawn = String(Math.round(performance.now()));
  var h = location.hash.slice(1);
  if (h === "liste" || h.indexOf("liste?") === 0) $("applicants").scrollIntoView();
})();
