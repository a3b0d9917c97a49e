// ACLED's six event types, each with a colour class (app.css) and a fill for SVG charts.
export const TYPES = [
  ["Battles", "battles", "#d62728"],
  ["Explosions/Remote violence", "explosions", "#ff7f0e"],
  ["Violence against civilians", "vac", "#9467bd"],
  ["Protests", "protests", "#1f77b4"],
  ["Riots", "riots", "#e377c2"],
  ["Strategic developments", "strategic", "#2ca02c"],
];
const BY_NAME = new Map(TYPES.map(([name, slug, fill]) => [name, { slug, fill }]));
const OTHER = { slug: "other", fill: "#7f7f7f" };

export function typeSlug(name) {
  return (BY_NAME.get(name) || OTHER).slug;
}

export function typeFill(name) {
  return (BY_NAME.get(name) || OTHER).fill;
}

export function typeOrder(name) {
  const i = TYPES.findIndex(([n]) => n === name);
  return i < 0 ? TYPES.length : i;
}
