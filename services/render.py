"""Human-readable rendering of a story state (``storystream tail``, the demo)."""
from __future__ import annotations

import textwrap


def render_story(state: dict, max_quotes: int = 50) -> str:
    out = []
    totals = state.get("totals", {})
    out.append(f"== story {state['story_id']}  v{state['version']}  ({state.get('status', 'open')})  "
               f"updated {state.get('updated_at')}")
    out.append(f"   headline: {state.get('headline')}")
    if state.get("summary"):
        out.append("   summary:  " + textwrap.shorten(state["summary"], 200))
    out.append(f"   articles: {totals.get('articles')}  outlets: {', '.join(o for o in state.get('outlets', []) if o) or '-'}"
               f"  quotes: {totals.get('quotes')}  entities: {totals.get('entities')}  speakers: {totals.get('speakers')}")
    for a in state.get("articles", []):
        out.append(f"     - {a['article_id']}: {textwrap.shorten(a.get('title') or '', 90)}"
                   + (f"  [{a['outlet']}]" if a.get("outlet") else ""))
    ents = state.get("entities", [])[:12]
    if ents:
        out.append("   top entities:")
        for e in ents:
            aliases = [x for x in e.get("aliases", []) if x != e["name"]]
            out.append(f"     {e.get('rank', '-'):>3}. {e['name']} ({e['type']})  mentions={e['mentions']} "
                       f"articles={e['articles']}" + (f"  aka {', '.join(aliases[:5])}" if aliases else ""))
    speakers = state.get("speakers", [])
    if speakers:
        out.append("   speakers: " + "; ".join(
            f"{s['name']}" + (f" ({', '.join(s.get('roles', [])[:2])})" if s.get("roles") else "") + f" x{s['quotes']}"
            for s in speakers[:10]))
    quotes = state.get("quotes", [])
    if quotes:
        out.append("   quotes:")
    for q in quotes[:max_quotes]:
        out.append(f"     * [{q.get('kind')}] {q.get('speaker') or 'unknown'}: "
                   f"“{textwrap.shorten(q['text'], 160)}”  ({q.get('articles_total') or len(q.get('article_ids', []))} article(s))")
        if len(q.get("variants", [])) > 1:
            for v in q["variants"]:
                out.append(f"         ~ [{v.get('kind')}] {v['article_id']}: “{textwrap.shorten(v['text'], 140)}”")
            more = (q.get("variants_total") or 0) - len(q["variants"])
            if more > 0:
                out.append(f"         ~ ... and {more} more wording(s)")
    delta = state.get("delta", {})
    if delta:
        moves = ""
        if delta.get("articles_moved_in"):
            moves += f", {len(delta['articles_moved_in'])} moved in from another story (split, merge or re-homing)"
        if delta.get("articles_removed"):
            moves += f", {len(delta['articles_removed'])} moved out to another story"
        if state.get("merged_into"):
            moves += f" (merged into {state['merged_into']})"
        out.append(f"   delta: +{len(delta.get('articles_added', []))} article(s), "
                   f"+{len(delta.get('quotes_added', []))} quote(s), +{len(delta.get('entities_added', []))} entit(y/ies)"
                   + moves)
    return "\n".join(out)
