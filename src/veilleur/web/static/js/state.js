// The view's state lives in the URL fragment (#type=Battles&from=2024-03-01&event=ev-...&map=6/14.5/-2.1),
// so a view can be bookmarked and shared. Filters are lists (repeated keys); the rest single values.

export const LIST_KEYS = ["type", "sub_type", "country", "admin1", "actor", "outlet", "claim"];
export const ONE_KEYS = ["from", "to", "q", "event", "map", "inview"];

export function readState(hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = {};
  for (const key of LIST_KEYS) state[key] = params.getAll(key).filter(Boolean);
  for (const key of ONE_KEYS) state[key] = params.get(key) || "";
  return state;
}

export function stateHash(state) {
  const params = new URLSearchParams();
  for (const key of LIST_KEYS) for (const value of state[key] || []) params.append(key, value);
  for (const key of ONE_KEYS) if (state[key]) params.set(key, state[key]);
  const text = params.toString();
  return text ? "#" + text : "";
}

export function writeState(state, { replace = false } = {}) {
  const hash = stateHash(state);
  if (hash === location.hash || (!hash && !location.hash)) return;
  const url = location.pathname + location.search + hash;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
}

// The API's filter parameters for a state (dates optional: the timeline wants everything else).
export function filterParams(state, { dates = true, bbox = null } = {}) {
  const params = new URLSearchParams();
  for (const key of LIST_KEYS) for (const value of state[key] || []) params.append(key, value);
  if (dates && state.from) params.set("from", state.from);
  if (dates && state.to) params.set("to", state.to);
  if (state.q) params.set("q", state.q);
  if (bbox) params.set("bbox", bbox);
  return params;
}
