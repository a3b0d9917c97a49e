// DOM helpers. Text from the ledger (article text above all) is untrusted: it only ever goes into the page
// through textContent or attribute values set one by one, never through innerHTML or markup strings.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function svg(tag, attrs = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

// An outside link only for http(s) addresses; anything else (javascript:, data:) stays plain text.
export function safeLink(url, label) {
  let parsed = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!parsed || !["http:", "https:"].includes(parsed.protocol)) {
    return el("span", { class: "url", text: label || url || "" });
  }
  return el("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer nofollow", text: label || url });
}
