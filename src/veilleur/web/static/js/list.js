// The event list: the filtered events, newest first, a page at a time.
import { clear, el } from "./dom.js";
import { typeSlug } from "./colors.js";

export function eventItem(record, onSelect, selectedId) {
  const where = [record.location, record.admin1, record.country].filter(Boolean).join(", ") || "place unknown";
  const actors = [record.actor1, record.actor2].filter(Boolean).join(" vs ") || "actors unknown";
  const claims = [...new Set(record.sources.map((s) => s.claim))];
  const item = el(
    "li",
    { class: record.event_id === selectedId ? "selected" : "", dataset: { id: record.event_id }, tabindex: "0" },
    el("div", { class: "row1" },
      el("span", { class: `swatch t-${typeSlug(record.event_type)}`, title: record.event_type }),
      el("span", { class: "date", text: record.event_date || "undated" }),
      el("span", { class: "subtype", text: record.sub_event_type })),
    el("div", { class: "row2", text: where }),
    el("div", { class: "row3" },
      el("span", { class: "actors", text: actors }),
      el("span", { class: "toll", text: record.fatalities === null ? "toll unknown" : `${record.fatalities} killed` }),
      el("span", { class: "nsources", text: `${record.sources.length} source${record.sources.length === 1 ? "" : "s"}` }),
      claims.map((c) => el("span", { class: `claim claim-${c}`, text: c }))),
  );
  item.addEventListener("click", () => onSelect(record.event_id));
  item.addEventListener("keydown", (e) => {
    if (e.key === "Enter") onSelect(record.event_id);
  });
  return item;
}

export class EventList {
  constructor(listNode, countNode, moreButton, onSelect) {
    this.listNode = listNode;
    this.countNode = countNode;
    this.more = moreButton;
    this.onSelect = onSelect;
  }

  show(page, { append = false, selectedId = "" } = {}) {
    if (!append) clear(this.listNode);
    for (const record of page.data) this.listNode.append(eventItem(record, this.onSelect, selectedId));
    const shown = this.listNode.children.length;
    this.countNode.textContent = `${page.count} event${page.count === 1 ? "" : "s"}` + (shown < page.count ? ` (${shown} shown)` : "");
    this.more.hidden = shown >= page.count;
    document.body.dataset.listed = String(page.count);
  }

  select(id) {
    for (const li of this.listNode.children) li.classList.toggle("selected", li.dataset.id === id);
  }
}
