// The page: reads the state from the URL, loads the map points, the timeline, the list and the event
// panel for it, and writes every change back into the URL.
import { getJSON } from "./api.js";
import { EventMap } from "./map.js";
import { Timeline } from "./timeline.js";
import { FilterPanel } from "./filters.js";
import { EventList } from "./list.js";
import { EventPanel } from "./panel.js";
import { filterParams, readState, writeState } from "./state.js";

const PAGE = 100;
let state = readState();
let map, timeline, filters, list, panel;
let bbox = "";
let offset = 0;
let generation = 0;

function busy(on) {
  document.body.dataset.busy = on ? "1" : "0";
}

function showError(error) {
  const node = document.getElementById("event-count");
  node.textContent = `Error: ${error.message}`;
  node.classList.add("error");
}

function update(changes, { replace = false, reload = true } = {}) {
  const before = state;
  state = { ...state, ...changes };
  writeState(state, { replace });
  if (!reload) return;
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const filtersChanged = Object.keys(changes).some((key) => key !== "event" && key !== "map" && !same(before[key], state[key]));
  if (filtersChanged) refresh();
  else if (before.event !== state.event) syncPanel().catch(showError);
}

async function refresh({ fit = false } = {}) {
  const mine = ++generation;
  busy(true);
  try {
    const inview = state.inview === "1" ? bbox : null;
    const params = filterParams(state, { bbox: inview });
    const [points, page, days] = await Promise.all([
      getJSON("/api/points", filterParams(state)),
      getJSON("/api/events", new URLSearchParams([...params, ["limit", PAGE], ["sort", "-date"]])),
      getJSON("/api/stats", new URLSearchParams([...filterParams(state, { dates: false }), ["by", "day"], ["split", "event_type"]])),
    ]);
    if (mine !== generation) return;
    offset = page.data.length;
    map.setPoints(points.data, fit);
    timeline.draw(days.data, [state.from || null, state.to || null]);
    document.getElementById("timeline-label").textContent =
      timeline.binDays === 7 ? "Events per week (drag to pick dates)" : "Events per day (drag to pick dates)";
    list.show(page, { selectedId: state.event });
    filters.render(state);
    document.getElementById("q").value = state.q;
    document.getElementById("clear-dates").hidden = !(state.from || state.to);
    for (const fmt of ["csv", "geojson", "jsonl"]) {
      const link = document.getElementById(`export-${fmt}`);
      link.href = `/api/export?${new URLSearchParams([...filterParams(state), ["format", fmt]])}`;
    }
    await syncPanel();
    document.body.dataset.generation = String(mine);
  } catch (error) {
    showError(error);
  } finally {
    if (mine === generation) busy(false);
  }
}

async function syncPanel() {
  if (state.event) {
    document.getElementById("list-view").hidden = true;
    list.select(state.event);
    map.highlight(state.event);
    if (panel.current !== state.event) await panel.show(state.event);
  } else {
    panel.hide();
    document.getElementById("list-view").hidden = false;
  }
}

async function more() {
  const params = filterParams(state, { bbox: state.inview === "1" ? bbox : null });
  const page = await getJSON("/api/events", new URLSearchParams([...params, ["limit", PAGE], ["offset", offset], ["sort", "-date"]]));
  offset += page.data.length;
  list.show(page, { append: true, selectedId: state.event });
}

async function start() {
  const config = await getJSON("/api/config");
  const facets = await getJSON("/api/facets");
  const select = (id) => {
    update({ event: id });
  };
  map = new EventMap(document.getElementById("map"), config, select, (view, box) => {
    bbox = box;
    update({ map: view }, { replace: true, reload: false });
    if (state.inview === "1") refresh();
  });
  const hadView = map.setView(state.map);
  bbox = map.bboxString();
  timeline = new Timeline(document.getElementById("timeline"), (from, to) => update({ from: from || "", to: to || "" }));
  filters = new FilterPanel(document.getElementById("filters"), facets, (changes) => update(changes));
  list = new EventList(document.getElementById("event-list"), document.getElementById("event-count"), document.getElementById("more"), select);
  panel = new EventPanel(document.getElementById("panel"), () => update({ event: "" }));

  document.getElementById("search").addEventListener("submit", (e) => {
    e.preventDefault();
    update({ q: document.getElementById("q").value.trim() });
  });
  document.getElementById("clear-dates").addEventListener("click", () => update({ from: "", to: "" }));
  document.getElementById("more").addEventListener("click", () => more().catch(showError));
  document.getElementById("share").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
    } catch {
      /* no clipboard (plain http on another host): the address bar has the same link */
    }
  });
  window.addEventListener("popstate", () => {
    state = readState();
    if (state.map) map.setView(state.map);
    refresh();
  });
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => refresh(), 250);
  });
  await refresh({ fit: !hadView });
  document.body.dataset.ready = "1";
}

start().catch((error) => {
  showError(error);
  busy(false);
});
