"""The class server's two pages: plain HTML and a little inline JS, nothing fetched from
elsewhere (a classroom network may have no internet). Text from students is put in
the page with ``textContent`` only, never as HTML."""

INDEX_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lrgame class</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto;line-height:1.5}
code{background:#eee;padding:0 .2em}</style></head><body>
<h1>An lrgame class</h1>
<p>Join from a terminal with
<code>lrgame join ADDRESS --code CODE --player "Your Name"</code>,
where ADDRESS is this page's address and CODE the class code your teacher gives.</p>
<p>Send a result file made earlier with
<code>lrgame submit FILE --to ADDRESS --code CODE</code>.</p>
<p>The class board is your teacher's.</p>
</body></html>
"""

#: Why the board is refused without the teacher's key.
NO_BOARD = "the board is the teacher's: it needs the board key that `lrgame class start` printed"

NO_BOARD_HTML = (
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lrgame class board</title></head><body>
<h1>The class board</h1>
<p>"""
    + NO_BOARD[0].upper()
    + NO_BOARD[1:]
    + """ (its address ends in <code>/board?key=...</code>).</p>
</body></html>
"""
)

BOARD_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lrgame class board</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{background:#111;color:#eee;font-family:system-ui,sans-serif;margin:1em 2em}
h1{font-size:1.8em;margin:.2em 0}
#main{display:flex;gap:2em;align-items:flex-start}
table{border-collapse:collapse;font-size:1.2em}
th,td{padding:.2em .6em;text-align:left;border-bottom:1px solid #333;white-space:nowrap}
#side{flex:1;min-width:22em}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.stars{color:#fc3;letter-spacing:.05em}
.diverged{color:#f66}.cleared{color:#6d6}.out_of_budget,.abandoned{color:#aaa}
#feed,#rejected{list-style:none;padding:0;margin:0;font-size:1.05em}
#feed li{padding:.15em 0;border-bottom:1px solid #222}
#rejected li{color:#f99;padding:.15em 0}
.muted{color:#888}
@media (max-width:1300px){
 #main{flex-direction:column;gap:.5em}
 #side{order:-1;min-width:0}
 #feed li:nth-child(n+5),#rejected li:nth-child(n+3){display:none}
 h2{font-size:1.1em;margin:.3em 0}
}
</style></head><body>
<h1 id="title">lrgame class</h1>
<div class="muted" id="status">connecting…</div>
<div id="main">
<table><thead id="head"></thead><tbody id="rows"></tbody></table>
<div id="side"><h2>What just happened</h2><ul id="feed"></ul>
<h2>Refused</h2><ul id="rejected"></ul></div>
</div>
<script>
"use strict";
let version = null;
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function stars(n) { return "\\u2605".repeat(n) + "\\u2606".repeat(3 - n); }
function draw(b) {
  document.getElementById("title").textContent = b.title;
  const head = document.getElementById("head");
  head.replaceChildren();
  const hr = el("tr");
  for (const h of ["#", "player", "total"]) hr.appendChild(el("th", h));
  for (const l of b.levels) hr.appendChild(el("th", l.id + (l.par === null ? "" : " (par " + l.par + ")")));
  hr.appendChild(el("th", "latest"));
  head.appendChild(hr);
  const rows = document.getElementById("rows");
  rows.replaceChildren();
  for (const s of b.students) {
    const tr = el("tr");
    tr.appendChild(el("td", s.rank === null ? "-" : s.rank, "n"));
    tr.appendChild(el("td", s.player));
    tr.appendChild(el("td", s.total_score, "n"));
    const by = {};
    for (const f of s.levels) by[f.level] = f;
    for (const l of b.levels) {
      const f = by[l.id];
      const td = el("td");
      if (!f || f.outcome === "not played") { td.textContent = "-"; td.className = "muted"; }
      else {
        td.appendChild(el("span", stars(f.stars) + " ", "stars"));
        const what = f.outcome === "cleared" ? f.iterations + (l.par === null ? "" : "/" + l.par)
                                               : f.outcome.replace(/_/g, " ");
        td.appendChild(el("span", what, f.outcome));
        if (f.optimizer && f.optimizer !== "sgd")
          td.appendChild(el("span", " " + f.optimizer.split(":")[0], "muted"));
      }
      tr.appendChild(td);
    }
    tr.appendChild(el("td", s.latest || "-", "muted"));
    rows.appendChild(tr);
  }
  const feed = document.getElementById("feed");
  feed.replaceChildren(...b.feed.slice(0, 15).map(f => el("li", f.text)));
  const rej = document.getElementById("rejected");
  rej.replaceChildren(...b.rejected.slice(-10).reverse().map(r => el("li", (r.player || "?") + ": " + r.reason)));
  document.getElementById("status").textContent =
    b.students.length + " students, " + b.rejected.length + " refused submissions";
}
const key = new URLSearchParams(location.search).get("key") || "";
async function poll() {
  try {
    const r = await fetch("/api/board", {cache: "no-store", headers: {"X-Board-Key": key}});
    const b = await r.json();
    if (!r.ok) { document.getElementById("status").textContent = b.reason; return; }
    if (b.version !== version) { version = b.version; draw(b); }
  } catch (e) {
    document.getElementById("status").textContent = "the class server does not answer";
  }
  setTimeout(poll, 500);
}
poll();
</script></body></html>
"""
