// The filter panel: dates, event types (with their colours and counts), sub-type, country, admin area,
// actor, outlet, claim status, and "only what the map shows". Its values come from /api/facets.
import { clear, el } from "./dom.js";
import { typeSlug } from "./colors.js";

const CLAIMS = ["reported", "claimed", "denied", "hedged"];
const SELECTS = [
  ["sub_type", "sub_event_type", "Sub-event type"],
  ["country", "country", "Country"],
  ["admin1", "admin1", "Admin area (admin1)"],
  ["actor", "actor", "Actor"],
  ["outlet", "outlet", "Outlet"],
];

export class FilterPanel {
  constructor(node, facets, onChange) {
    this.node = node;
    this.facets = facets;
    this.onChange = onChange;
  }

  render(state) {
    const node = clear(this.node);
    node.append(el("h2", { text: "Filters" }));

    const from = el("input", { type: "date", id: "f-from", value: state.from, "aria-label": "From date" });
    const to = el("input", { type: "date", id: "f-to", value: state.to, "aria-label": "To date" });
    if (this.facets.date_min) for (const input of [from, to]) input.min = this.facets.date_min;
    if (this.facets.date_max) for (const input of [from, to]) input.max = this.facets.date_max;
    const dateChange = () => this.onChange({ from: from.value, to: to.value });
    from.addEventListener("change", dateChange);
    to.addEventListener("change", dateChange);
    node.append(el("fieldset", {}, el("legend", { text: "Dates" }), el("label", {}, "From ", from), el("label", {}, "To ", to)));

    const types = el("fieldset", { id: "f-types" }, el("legend", { text: "Event type" }));
    for (const { key, events } of this.facets.event_type) {
      const box = el("input", { type: "checkbox", value: key, checked: state.type.includes(key) });
      box.addEventListener("change", () => {
        const chosen = [...types.querySelectorAll("input:checked")].map((i) => i.value);
        this.onChange({ type: chosen });
      });
      types.append(
        el("label", { class: "check" }, box, el("span", { class: `swatch t-${typeSlug(key)}` }), `${key} (${events})`),
      );
    }
    node.append(types);

    for (const [stateKey, facetKey, label] of SELECTS) {
      const select = el("select", { id: `f-${stateKey}`, "aria-label": label }, el("option", { value: "", text: "any" }));
      for (const { key, events } of this.facets[facetKey] || []) {
        select.append(el("option", { value: key, text: `${key} (${events})`, selected: state[stateKey].includes(key) }));
      }
      for (const value of state[stateKey]) {
        if (![...select.options].some((o) => o.value === value)) {
          select.append(el("option", { value, text: value, selected: true }));
        }
      }
      select.addEventListener("change", () => this.onChange({ [stateKey]: select.value ? [select.value] : [] }));
      node.append(el("label", { class: "field" }, el("span", { text: label }), select));
    }

    const claims = el("fieldset", { id: "f-claims" }, el("legend", { text: "Claim status (any source)" }));
    for (const claim of CLAIMS) {
      const box = el("input", { type: "checkbox", value: claim, checked: state.claim.includes(claim) });
      box.addEventListener("change", () => {
        this.onChange({ claim: [...claims.querySelectorAll("input:checked")].map((i) => i.value) });
      });
      claims.append(el("label", { class: "check" }, box, el("span", { class: `claim claim-${claim}`, text: claim })));
    }
    node.append(claims);

    const inview = el("input", { type: "checkbox", id: "f-inview", checked: state.inview === "1" });
    inview.addEventListener("change", () => this.onChange({ inview: inview.checked ? "1" : "" }));
    node.append(el("label", { class: "check" }, inview, "Only events in the map view"));

    const reset = el("button", { type: "button", id: "f-reset", text: "Reset filters" });
    reset.addEventListener("click", () =>
      this.onChange({ from: "", to: "", q: "", inview: "", type: [], sub_type: [], country: [], admin1: [], actor: [], outlet: [], claim: [] }),
    );
    node.append(reset);
  }
}
