// tm's browser page: lookup and concordance, and alignment review.
// Plain JavaScript, no build step, no libraries. Every text from the server
// is put into the page with textContent (never parsed as HTML), so a unit holding
// markup shows as text.
"use strict";

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) {
    if (c == null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// ---- talking to the server ----

const tokenInput = $("#token");
tokenInput.value = localStorage.getItem("tm-token") || "";
tokenInput.addEventListener("change", () => localStorage.setItem("tm-token", tokenInput.value.trim()));

function status(text, isError) {
  const s = $("#status");
  s.textContent = text || "";
  s.className = isError ? "error" : "";
}

async function api(method, path, body) {
  const headers = {};
  const token = tokenInput.value.trim();
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) {
    const msg = data && data.error ? data.error.message + (data.error.hint ? " (" + data.error.hint + ")" : "") : r.status + " " + r.statusText;
    throw new Error(msg);
  }
  return data;
}

// ---- tabs ----

function showTab() {
  const review = location.hash.startsWith("#review");
  $("#page-lookup").hidden = review;
  $("#page-review").hidden = !review;
  $("#tab-lookup").classList.toggle("active", !review);
  $("#tab-review").classList.toggle("active", review);
  if (review) openReviewFromHash();
}
window.addEventListener("hashchange", showTab);

// ---- lookup ----

let script = "as-stored";
let lookupSeq = 0;
let lastResult = null;

// The UTF-8 byte ranges the server marks, as [text, marked] pieces.
function pieces(text, marks) {
  if (!marks || marks.length === 0) return [[text, false]];
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const out = [];
  let pos = 0;
  for (const [a, b] of [...marks].sort((x, y) => x[0] - y[0])) {
    if (a < pos || b > bytes.length) continue;
    if (a > pos) out.push([dec.decode(bytes.slice(pos, a)), false]);
    out.push([dec.decode(bytes.slice(a, b)), true]);
    pos = b;
  }
  if (pos < bytes.length) out.push([dec.decode(bytes.slice(pos)), false]);
  return out;
}

// Texts in az shown in the chosen script (one request for all of them).
async function inScript(lang, texts) {
  if (script === "as-stored") return texts;
  const isAz = lang === "az" || lang === "az-Cyrl";
  if (!isAz) return texts;
  const scheme = script === "latn" ? (lang === "az-Cyrl" ? "az-cyrl-latn" : null) : (lang === "az" ? "az-latn-cyrl" : null);
  if (!scheme) return texts;
  const r = await api("POST", "/api/v1/transliterate", { scheme, texts });
  return r.texts;
}

function copyButton(text) {
  const b = el("button", { type: "button", class: "copy", title: "Copy to the clipboard" }, "copy");
  b.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      const t = el("textarea", {}, text);
      document.body.append(t);
      t.select();
      document.execCommand("copy");
      t.remove();
    }
    b.textContent = "copied";
    setTimeout(() => (b.textContent = "copy"), 1200);
  });
  return b;
}

const LANGUAGE_NAMES = { "az": "Azerbaijani (Latin)", "az-Cyrl": "Azerbaijani (Cyrillic)", "ru": "Russian", "en": "English" };

// One LookupMatch of the workflow's LookupReport (the same JSON as the CLI).
async function renderMatch(m) {
  const li = el("li", { class: "match " + m.kind });
  const pct = m.kind === "concordance" ? "" : Math.floor(m.score) + "%";
  let kind = m.kind;
  if (m.kind === "near-exact" && m.differences.length) kind += " (" + m.differences.join(", ") + ")";
  li.append(el("div", { class: "head" },
    el("span", { class: "pct" }, pct), " ", el("span", { class: "kind" }, kind), " ",
    el("span", { class: "where muted" }, m.unit.memory.name + ":" + (m.unit.index + 2))));
  const ps = pieces(m.source, m.marks);
  const shown = await inScript(m.sourceLanguage, ps.map((p) => p[0]));
  const src = el("div", { class: "seg source" }, el("span", { class: "lang" }, m.sourceLanguage));
  const text = el("span", { class: "text" });
  ps.forEach((p, i) => text.append(p[1] ? el("mark", {}, shown[i]) : document.createTextNode(shown[i])));
  src.append(text, copyButton(shown.join("")));
  li.append(src);
  for (const t of m.targets) {
    const [body] = await inScript(t.language, [t.substituted || t.text]);
    const row = el("div", { class: "seg target" }, el("span", { class: "lang" }, t.language), el("span", { class: "text" }, body), copyButton(body));
    li.append(row);
    if (t.substituted) li.append(el("div", { class: "stored muted" }, "stored: ", t.text));
  }
  return li;
}

async function render(a) {
  const list = $("#results");
  const items = [];
  for (const m of a.matches.concat(a.concordance)) items.push(await renderMatch(m));
  list.replaceChildren(...items);
  if (items.length === 0) list.append(el("li", { class: "none muted" }, "no match"));
  if (a.moreConcordance > 0) list.append(el("li", { class: "muted" }, a.moreConcordance + " more units contain the words"));
}

async function lookup() {
  const q = $("#q").value;
  const seq = ++lookupSeq;
  if (!q.trim()) {
    $("#results").replaceChildren();
    $("#guess").textContent = "";
    return;
  }
  const params = new URLSearchParams({ q });
  if ($("#from").value) params.set("from", $("#from").value);
  if ($("#to").value) params.set("to", $("#to").value);
  if ($("#concordance").checked) params.set("concordance", "true");
  try {
    const r = await api("GET", "/api/v1/lookup?" + params.toString());
    if (seq !== lookupSeq) return;
    const a = r.answers[0];
    lastResult = a;
    $("#guess").textContent = "query language: " + a.language + " (" + (LANGUAGE_NAMES[a.language] || a.language) + (a.languageGuessed ? ", guessed" : "") + ")";
    await render(a);
    status("");
  } catch (e) {
    if (seq === lookupSeq) status(e.message, true);
  }
}

let timer = null;
$("#q").addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(lookup, 200);
});
$("#lookup-form").addEventListener("submit", (e) => {
  e.preventDefault();
  lookup();
});
for (const id of ["#from", "#to", "#concordance"]) $(id).addEventListener("change", lookup);
for (const b of document.querySelectorAll(".script-switch button")) {
  b.addEventListener("click", () => {
    script = b.dataset.script;
    for (const o of document.querySelectorAll(".script-switch button")) o.classList.toggle("on", o === b);
    if (lastResult) render(lastResult);
  });
}

// ---- alignment review ----

let review = null;
let selected = 0;

async function readFile(input) {
  const f = input.files && input.files[0];
  return f ? { text: await f.text(), name: f.name } : null;
}

$("#review-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const rf = await readFile($("#review-file"));
    let body;
    if (rf) {
      body = { review: rf.text, name: rf.name };
    } else {
      const s = (await readFile($("#src-file"))) || { text: $("#src-text").value, name: "source.txt" };
      const t = (await readFile($("#tgt-file"))) || { text: $("#tgt-text").value, name: "target.txt" };
      body = { source: s.text, target: t.text, source_name: s.name, target_name: t.name };
    }
    status("aligning…");
    const r = await api("POST", "/api/v1/reviews", body);
    location.hash = "#review=" + r.id;
    status("");
  } catch (err) {
    status(err.message, true);
  }
});

async function listReviews() {
  try {
    const list = await api("GET", "/api/v1/reviews");
    const ul = $("#review-list");
    ul.replaceChildren(...list.map((r) =>
      el("li", {}, el("a", { href: "#review=" + r.id }, r.source_name + " ↔ " + r.target_name),
        " ", el("span", { class: "muted" }, r.from + "→" + r.to + ", " + r.confirmed + "/" + r.beads + " confirmed, " + r.updated))));
    if (list.length === 0) ul.append(el("li", { class: "muted" }, "none yet"));
  } catch (e) {
    status(e.message, true);
  }
}

async function openReviewFromHash() {
  const m = location.hash.match(/^#review=([A-Za-z0-9]+)/);
  if (!m) {
    review = null;
    $("#review-start").hidden = false;
    $("#review-work").hidden = true;
    listReviews();
    return;
  }
  try {
    review = await api("GET", "/api/v1/reviews/" + m[1]);
    selected = Math.min(Number(localStorage.getItem("tm-review-sel-" + review.id) || 0), review.beads.length - 1);
    $("#review-start").hidden = true;
    $("#review-work").hidden = false;
    renderReview();
  } catch (e) {
    status(e.message, true);
  }
}

function isWeak(b) {
  return b.status === "auto" && (b.score < review.weak_below || b.source.length === 0 || b.target.length === 0);
}

function renderReview() {
  $("#review-title").textContent = review.source_name + " ↔ " + review.target_name + " (" + review.from + "→" + review.to + ")";
  const confirmed = review.beads.filter((b) => b.status === "confirmed").length;
  const weak = review.beads.filter(isWeak).length;
  const added = review.beads.filter((b) => b.added).length;
  $("#review-counts").textContent = review.beads.length + " beads, " + confirmed + " confirmed, " + weak + " weak, " + added + " in the memory";
  const rows = review.beads.map((b, i) => {
    const cls = ["bead", b.status];
    if (isWeak(b)) cls.push("weak");
    if (b.added) cls.push("added");
    if (i === selected) cls.push("selected");
    const side = (ids, segs) => {
      const td = el("td", { class: "side" });
      ids.forEach((id) => td.append(el("div", { class: "segment" }, segs[id] == null ? "" : segs[id])));
      if (ids.length === 0) td.append(el("div", { class: "empty muted" }, "—"));
      return td;
    };
    const tr = el("tr", { class: cls.join(" "), "data-bead": String(i) },
      el("td", { class: "n" }, String(i + 1)),
      side(b.source, review.source), side(b.target, review.target),
      el("td", { class: "sc" }, b.status === "unaligned" ? "unaligned" : b.score.toFixed(2) + (b.status === "confirmed" ? " ✓" : "")));
    tr.addEventListener("click", () => {
      selected = i;
      renderReview();
    });
    return tr;
  });
  $("#beads tbody").replaceChildren(...rows);
  localStorage.setItem("tm-review-sel-" + review.id, String(selected));
  const row = $("#beads tbody tr.selected");
  if (row) row.scrollIntoView({ block: "nearest" });
}

async function edit(op, extra) {
  if (!review) return;
  try {
    review = await api("POST", "/api/v1/reviews/" + review.id + "/edits", Object.assign({ op, bead: selected, version: review.version }, extra || {}));
    selected = Math.max(0, Math.min(selected, review.beads.length - 1));
    renderReview();
    status("saved");
  } catch (e) {
    status(e.message, true);
    if (/changed/.test(e.message)) openReviewFromHash();
  }
}

function nextWeak() {
  for (let i = selected + 1; i < review.beads.length; i++) if (isWeak(review.beads[i])) return i;
  return Math.min(selected + 1, review.beads.length - 1);
}

document.addEventListener("keydown", async (e) => {
  if ($("#page-review").hidden || !review || e.target.closest("input, textarea, select")) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const k = e.key;
  let handled = true;
  if (k === "j" || k === "ArrowDown") selected = Math.min(selected + 1, review.beads.length - 1), renderReview();
  else if (k === "k" || k === "ArrowUp") selected = Math.max(selected - 1, 0), renderReview();
  else if (k === "Enter") {
    await edit("confirm", { value: true });
    selected = nextWeak();
    renderReview();
  } else if (k === "m") await edit("merge");
  else if (k === "s") await edit("split");
  else if (k === "[") await edit("move", { side: "target", direction: "up" });
  else if (k === "]") await edit("move", { side: "target", direction: "down" });
  else if (k === "{") await edit("move", { side: "source", direction: "up" });
  else if (k === "}") await edit("move", { side: "source", direction: "down" });
  else if (k === "x") await edit("unalign");
  else if (k === "u") await edit("undo");
  else handled = false;
  if (handled) e.preventDefault();
});

$("#add-to-memory").addEventListener("click", async () => {
  try {
    const r = await api("POST", "/api/v1/reviews/" + review.id + "/commit");
    review = r.review;
    renderReview();
    status("added " + r.added + (r.added === 1 ? " unit" : " units") + " to the memory" + (r.duplicates ? ", " + r.duplicates + " already there" : ""));
  } catch (e) {
    status(e.message, true);
  }
});
$("#review-close").addEventListener("click", () => (location.hash = "#review"));

showTab();
