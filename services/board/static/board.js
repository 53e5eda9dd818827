// Storystream live story board.  Every piece of story data is put on the page with
// textContent (text nodes) or as an attribute value that cannot run (links only with
// http(s) URLs), never parsed as markup.  The server's Content-Security-Policy forbids inline script as well.
"use strict";

const state = { sort: "newest", q: "", page: 1, perPage: 20, total: 0, offset: -1, storyId: null, source: null };

// "and N more wordings": the story state caps its lists and gives the true total beside them
function more(total, shown, noun) {
  const n = (Number.isInteger(total) ? total : shown) - shown;
  return n > 0 ? el("p", { class: "muted more" }, `and ${n} more ${noun}${n === 1 ? "" : "s"}`) : null;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function safeUrl(raw) {
  // Only absolute http(s) URLs become links; anything else (javascript:, data:, relative) stays text.
  try {
    const url = new URL(String(raw));
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (e) {
    return null;
  }
}

function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

async function getJSON(path) {
  const resp = await fetch(path, { headers: { Accept: "application/json" } });
  if (!resp.ok) throw new Error(`${path}: HTTP ${resp.status}`);
  return resp.json();
}

// ------------------------------------------------------------------ story list
function storyItem(s) {
  const li = el("li", { class: "story", "data-story": s.story_id });
  const link = el("a", { href: "#/story/" + encodeURIComponent(s.story_id), class: "headline" }, s.headline || "(no headline)");
  const meta = el("p", { class: "meta" },
    el("span", { class: "size" }, `${s.articles} article${s.articles === 1 ? "" : "s"}`), " · ",
    el("span", { class: "outlets" }, (s.outlets || []).join(", ") || "no outlet"), " · ",
    el("time", { datetime: s.updated_at }, "updated " + when(s.updated_at)),
    s.status === "closed" ? el("span", { class: "badge" }, "closed") : null);
  const who = el("p", { class: "who muted" });
  if ((s.speakers || []).length) who.append("Quoted: " + s.speakers.join(", ") + ". ");
  if ((s.entities || []).length) who.append("About: " + s.entities.join(", ") + ".");
  li.append(link, meta, who);
  return li;
}

async function loadList() {
  const params = new URLSearchParams({ sort: state.sort, q: state.q, page: state.page, per_page: state.perPage });
  const body = await getJSON("/api/stories?" + params);
  state.total = body.total;
  if (state.offset < 0) state.offset = body.offset;
  const list = document.getElementById("stories");
  list.replaceChildren(...body.stories.map(storyItem));
  const pages = Math.max(1, Math.ceil(body.total / body.per_page));
  document.getElementById("count").textContent =
    `${body.total} stor${body.total === 1 ? "y" : "ies"}${state.q ? ` matching “${state.q}”` : ""}`;
  document.getElementById("pageno").textContent = `page ${body.page} of ${pages}`;
  document.getElementById("prev").disabled = body.page <= 1;
  document.getElementById("next").disabled = body.page >= pages;
  return body;
}

// ------------------------------------------------------------------ story page
function markedWording(text, canonical) {
  // The wording with the words the story's own wording lacks marked (<mark>, as text).
  const base = new Set(String(canonical).toLowerCase().match(/[\p{L}\p{N}']+/gu) || []);
  const out = el("q", { class: "wording" });
  for (const part of String(text).split(/(\s+)/)) {
    const words = part.toLowerCase().match(/[\p{L}\p{N}']+/gu) || [];
    if (words.length && words.some((w) => !base.has(w))) out.append(el("mark", {}, part));
    else out.append(document.createTextNode(part));
  }
  return out;
}

function section(title, ...children) {
  return el("section", { class: "part" }, el("h3", {}, title), ...children);
}

function renderStory(body) {
  const s = body.state;
  const byId = new Map((s.articles || []).map((a) => [a.article_id, a]));
  const root = document.getElementById("story");
  const head = [el("h2", { id: "story-headline" }, s.headline || "(no headline)"),
    el("p", { class: "meta" }, `${s.totals.articles} articles · ${s.totals.quotes} quotes · ${(s.outlets || []).length} outlets · version ${s.version} · updated ${when(s.updated_at)}`)];
  if (s.merged_into) {
    head.push(el("p", { class: "notice" }, "Merged into ",
      el("a", { href: "#/story/" + encodeURIComponent(s.merged_into) }, s.merged_into)));
  }
  if (s.summary) head.push(el("p", { class: "summary" }, s.summary));

  const articles = [...(s.articles || [])].sort((a, b) =>
    String(a.published || a.first_seen).localeCompare(String(b.published || b.first_seen)));
  const timeline = el("ol", { class: "timeline" }, ...articles.map((a) => {
    const href = safeUrl(a.url);
    const title = href ? el("a", { href, rel: "noopener noreferrer nofollow", target: "_blank" }, a.title) : el("span", {}, a.title);
    return el("li", { "data-article": a.article_id }, el("time", {}, when(a.published || a.first_seen)), " ",
      el("strong", { class: "outlet" }, a.outlet || "unknown outlet"), " — ", title,
      href ? null : (a.url ? el("span", { class: "muted url" }, " " + a.url) : null));
  }));

  const moreArticles = more((s.totals || {}).articles, articles.length, "article");
  if (moreArticles) timeline.append(el("li", { class: "more" }, moreArticles));

  const bySpeaker = new Map();
  for (const q of s.quotes || []) {
    const who = q.speaker || "Unattributed";
    if (!bySpeaker.has(who)) bySpeaker.set(who, []);
    bySpeaker.get(who).push(q);
  }
  const roles = new Map((s.speakers || []).map((sp) => [sp.name, sp.roles || []]));
  const said = el("div", { class: "said" }, ...[...bySpeaker].map(([who, quotes]) =>
    el("div", { class: "speaker" },
      el("h4", {}, who, (roles.get(who) || []).length ? el("span", { class: "muted" }, " — " + roles.get(who).join(", ")) : null),
      el("ul", { class: "statements" }, ...quotes.map((q) => el("li", { class: "statement" },
        el("blockquote", {}, q.text),
        el("ul", { class: "wordings" }, ...(q.variants || []).map((v) => {
          const art = byId.get(v.article_id);
          const source = art ? (art.outlet || art.title) : v.article_id;
          return el("li", {}, el("span", { class: "outlet" }, source), ": ",
            markedWording(v.text, q.text));
        })),
        more(q.variants_total, (q.variants || []).length, "wording")))))));

  const entities = el("ul", { class: "entities" }, ...(s.entities || []).map((e) =>
    el("li", {}, el("strong", {}, e.name), el("span", { class: "muted" }, ` ${e.type} · ${e.articles} articles`),
      (e.aliases || []).length ? el("span", { class: "aliases" }, " also: " + e.aliases.join(", ")) : null)));

  const coverage = new Map();
  for (const a of s.articles || []) coverage.set(a.outlet || "unknown outlet", (coverage.get(a.outlet || "unknown outlet") || 0) + 1);
  const outlets = el("ul", { class: "coverage" }, ...[...coverage].sort((a, b) => b[1] - a[1]).map(([o, n]) =>
    el("li", {}, el("meter", { min: "0", max: String(articles.length), value: String(n) }), ` ${o}: ${n}`)));

  const changes = el("ul", { class: "changes" }, ...(body.changes || []).slice().reverse().map((c) =>
    el("li", {}, `v${c.version} ${when(c.at)}: `,
      c.kind === "merged_into" ? "merged into " + c.story_id
        : `${c.articles.length} article${c.articles.length === 1 ? "" : "s"} ${c.kind === "moved_in" ? "moved in" : "left"}: `
          + c.articles.map((id) => (byId.get(id) || {}).title || id).join("; "))));

  root.replaceChildren(...head,
    section("Timeline", timeline),
    section("Who said what", said.childElementCount ? said : el("p", { class: "muted" }, "No quotes yet.")),
    section("Entities", entities),
    section("Coverage by outlet", outlets),
    section("Membership changes", changes.childElementCount ? changes : el("p", { class: "muted" }, "None so far.")));
}

async function loadStory(id) {
  try {
    renderStory(await getJSON("/api/stories/" + encodeURIComponent(id)));
  } catch (e) {
    document.getElementById("story").replaceChildren(el("p", { class: "notice" }, "Story not found: " + id));
  }
}

// ------------------------------------------------------------------ live updates
function onUpdate(msg) {
  const s = msg.story;
  state.offset = Math.max(state.offset, s.offset);
  if (state.storyId === s.story_id) loadStory(s.story_id);
  if (state.storyId !== null) return;
  const existing = document.querySelector(`li.story[data-story="${CSS.escape(s.story_id)}"]`);
  if (existing && !s.merged_into && s.articles > 0) {
    existing.replaceWith(storyItem(s));
  }
  // order or membership of the page may have changed: refresh it (one request, not a poll)
  scheduleListRefresh();
}

let refreshTimer = null;
function scheduleListRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => { refreshTimer = null; loadList(); }, 300);
}

function connect() {
  if (state.source) state.source.close();
  const live = document.getElementById("live");
  const src = new EventSource("/events?after=" + encodeURIComponent(state.offset));
  state.source = src;
  src.onopen = () => { live.textContent = "live"; live.className = "live on"; };
  src.onerror = () => { live.textContent = "reconnecting…"; live.className = "live off"; };
  src.addEventListener("story", (ev) => onUpdate(JSON.parse(ev.data)));
  src.addEventListener("reset", () => { state.offset = -1; src.close(); route().then(connect); });
}

// ------------------------------------------------------------------ routing
async function route() {
  const m = location.hash.match(/^#\/story\/(.+)$/);
  state.storyId = m ? decodeURIComponent(m[1]) : null;
  document.getElementById("list-view").hidden = state.storyId !== null;
  document.getElementById("story-view").hidden = state.storyId === null;
  if (state.storyId !== null) {
    if (state.offset < 0) state.offset = (await getJSON("/api/stories?per_page=1")).offset;
    return loadStory(state.storyId);
  }
  return loadList();
}

function init() {
  const q = document.getElementById("q");
  let typing = null;
  q.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.q = q.value; state.page = 1; loadList(); }, 250);
  });
  document.getElementById("controls").addEventListener("submit", (ev) => ev.preventDefault());
  document.getElementById("sort").addEventListener("change", (ev) => { state.sort = ev.target.value; state.page = 1; loadList(); });
  document.getElementById("prev").addEventListener("click", () => { state.page -= 1; loadList(); });
  document.getElementById("next").addEventListener("click", () => { state.page += 1; loadList(); });
  window.addEventListener("hashchange", route);
  route().then(connect);
}

document.addEventListener("DOMContentLoaded", init);
