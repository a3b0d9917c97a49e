// The event panel: an event's fields, then every source with its claim status and the article it comes
// from, the evidence sentences highlighted in place, and the event's history.
import { getJSON } from "./api.js";
import { clear, el, safeLink } from "./dom.js";
import { typeSlug } from "./colors.js";

const PRECISION = { 1: "exact day", 2: "within a week", 3: "within a month" };
const GEO_PRECISION = { 1: "the place itself", 2: "near the place / part of a region", 3: "admin area" };

export class EventPanel {
  constructor(node, onClose) {
    this.node = node;
    this.onClose = onClose;
    this.current = null;
  }

  hide() {
    this.current = null;
    this.node.hidden = true;
    clear(this.node);
  }

  async show(eventId) {
    this.current = eventId;
    this.node.hidden = false;
    clear(this.node).append(el("p", { class: "loading", text: "Loading…" }));
    let event;
    try {
      event = await getJSON(`/api/events/${encodeURIComponent(eventId)}`);
    } catch (error) {
      clear(this.node).append(this.closeButton(), el("p", { class: "error", text: `Cannot load event ${eventId}: ${error.message}` }));
      return;
    }
    if (this.current !== eventId) return;
    const node = clear(this.node);
    node.dataset.eventId = eventId;
    node.append(this.closeButton());
    node.append(
      el("h2", {}, el("span", { class: `swatch t-${typeSlug(event.event_type)}` }), `${event.sub_event_type}`),
      el("p", { class: "etype", text: event.event_type }),
      fields(event),
    );
    const sources = el("section", { class: "sources" }, el("h3", { text: `Sources (${event.sources.length})` }));
    node.append(sources);
    for (const [i, source] of event.sources.entries()) {
      const box = sourceBox(source, i);
      sources.append(box);
      this.fillArticle(box.querySelector(".article"), source.document_id, eventId);
    }
    node.append(historyBox(event.history || []));
    document.body.dataset.panel = eventId;
  }

  closeButton() {
    return el("button", { type: "button", class: "close", text: "← Back to the list", onclick: () => this.onClose() });
  }

  async fillArticle(box, documentId, eventId) {
    let doc;
    try {
      doc = await getJSON(`/api/documents/${encodeURIComponent(documentId)}`);
    } catch (error) {
      clear(box).append(el("p", { class: "error", text: `Cannot load the article: ${error.message}` }));
      return;
    }
    const text = el("div", { class: "article-text", lang: doc.language || null });
    for (const segment of doc.segments) {
      const spans = segment.evidence.map((i) => doc.evidence[i]);
      const own = spans.filter((e) => e.event_id === eventId);
      if (own.length) {
        const mark = el("mark", { class: `evidence claim-${own[0].claim}`, title: `evidence: ${own[0].claim}`, text: segment.text });
        text.append(mark);
      } else if (spans.length) {
        text.append(el("mark", { class: "other-evidence", title: `evidence of another event (${spans[0].sub_event_type})`, text: segment.text }));
      } else {
        text.append(document.createTextNode(segment.text));
      }
    }
    const head = el("div", { class: "article-head" },
      el("strong", { text: doc.title || "(untitled article)" }),
      doc.url ? el("span", {}, " — ", safeLink(doc.url, doc.outlet || doc.url)) : null);
    clear(box).append(head, text);
    const first = text.querySelector("mark.evidence");
    if (first) text.scrollTop = Math.max(0, first.offsetTop - 40);
  }
}

function row(label, value) {
  return [el("dt", { text: label }), el("dd", { text: value === null || value === undefined || value === "" ? "unknown" : String(value) })];
}

function fields(event) {
  let when = event.event_date || "unknown";
  if (event.time_precision) when += ` (${PRECISION[event.time_precision] || "precision " + event.time_precision})`;
  if (event.date_expression) when += ` — “${event.date_expression}”`;
  const place = [event.location, event.admin2, event.admin1, event.country].filter(Boolean).join(", ");
  let point = null;
  if (event.latitude !== null) {
    point = `${event.latitude.toFixed(4)}, ${event.longitude.toFixed(4)}`;
    if (event.geo_precision) point += ` (${GEO_PRECISION[event.geo_precision] || "precision " + event.geo_precision})`;
  }
  const withAssoc = (actor, assoc) => (actor ? actor + (assoc ? ` with ${assoc}` : "") : null);
  return el("dl", { class: "fields" },
    row("Date", when),
    event.date_note ? row("Date note", event.date_note) : [],
    row("Place", place),
    row("Point", point),
    row("Actor 1", withAssoc(event.actor1, event.assoc_actor_1)),
    row("Actor 2", withAssoc(event.actor2, event.assoc_actor_2)),
    row("Fatalities", event.fatalities),
    event.notes ? row("Notes", event.notes) : [],
    row("Event id", event.event_id));
}

function sourceBox(source, i) {
  const said = source.reporting_source ? ` by ${source.reporting_source}` : "";
  const meta = [source.outlet, source.published, source.fatalities !== null ? `toll given: ${source.fatalities}` : null]
    .filter(Boolean).join(" · ");
  return el("div", { class: "source", dataset: { document: source.document_id } },
    el("div", { class: "source-head" },
      el("span", { class: "n", text: `[${i + 1}]` }),
      el("span", { class: `claim claim-${source.claim}`, text: source.claim + said }),
      el("span", { class: "meta", text: meta || source.document_id })),
    source.merge ? el("p", { class: "merge", text: `joined this event: ${mergeText(source.merge)}` }) : null,
    el("ul", { class: "quotes" }, source.evidence.map((e) => el("li", {}, el("q", { text: e.text })))),
    el("div", { class: "article" }, el("p", { class: "loading", text: "Loading the article…" })));
}

function mergeText(merge) {
  const facts = [];
  if (merge.km !== null && merge.km !== undefined) facts.push(`${merge.km} km`);
  if (merge.days !== null && merge.days !== undefined) facts.push(`${merge.days} day${merge.days === 1 ? "" : "s"} apart`);
  if (merge.merged_id) facts.push(`was ${merge.merged_id}`);
  return (merge.rule || "merged") + (facts.length ? ` (${facts.join(", ")})` : "");
}

function historyBox(history) {
  const box = el("section", { class: "history" }, el("h3", { text: "History" }));
  if (!history.length) {
    box.append(el("p", { class: "muted", text: "No change recorded since the event was first stored." }));
    return box;
  }
  const list = el("ol");
  for (const change of history) {
    list.append(el("li", { text: `${change.at || ""} ${change.field}: ${change.old ?? "unknown"} → ${change.new ?? "unknown"} (from ${change.document_id})` }));
  }
  box.append(list);
  return box;
}
