// The timeline: events per day (per ISO week over long spans) stacked by type, as SVG. Drag across it to
// pick a date range; the picked range is shaded.
import { clear, svg } from "./dom.js";
import { typeFill, typeOrder } from "./colors.js";

const DAY = 86400000;
const HEIGHT = 110;
const PAD = { left: 30, right: 8, top: 8, bottom: 20 };

const toDay = (text) => Date.UTC(+text.slice(0, 4), +text.slice(5, 7) - 1, +text.slice(8, 10));
const toText = (ms) => new Date(ms).toISOString().slice(0, 10);

export class Timeline {
  constructor(node, onPick) {
    this.node = node;
    this.onPick = onPick;
    this.range = null; // [firstDayMs, lastDayMs] drawn
    this.picked = null;
    node.addEventListener("pointerdown", (e) => this.start(e));
    node.addEventListener("pointermove", (e) => this.move(e));
    node.addEventListener("pointerup", (e) => this.end(e));
    node.addEventListener("pointercancel", () => (this.drag = null));
  }

  // rows from /api/stats?by=day&split=event_type; picked: [from, to] texts or nulls
  draw(rows, picked) {
    this.picked = picked;
    const node = clear(this.node);
    const width = Math.max(200, node.clientWidth || 600);
    node.setAttribute("viewBox", `0 0 ${width} ${HEIGHT}`);
    node.setAttribute("height", HEIGHT);
    const dated = rows.filter((r) => r.key);
    if (!dated.length) {
      const t = svg("text", { x: width / 2, y: HEIGHT / 2, "text-anchor": "middle", class: "empty" });
      t.textContent = "No dated events";
      node.append(t);
      this.range = null;
      return;
    }
    let first = Math.min(...dated.map((r) => toDay(r.key)));
    let last = Math.max(...dated.map((r) => toDay(r.key)));
    if (picked && picked[0]) first = Math.min(first, toDay(picked[0]));
    if (picked && picked[1]) last = Math.max(last, toDay(picked[1]));
    const spanDays = Math.round((last - first) / DAY) + 1;
    const binDays = spanDays > 370 ? 7 : 1;
    this.range = [first, last + DAY];
    this.binDays = binDays;
    const bins = new Map();
    for (const r of dated) {
      const bin = Math.floor((toDay(r.key) - first) / DAY / binDays);
      const stack = bins.get(bin) || [];
      stack.push(r);
      bins.set(bin, stack);
    }
    const nBins = Math.ceil(spanDays / binDays);
    const max = Math.max(...[...bins.values()].map((s) => s.reduce((a, r) => a + r.events, 0)));
    const plotW = width - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    this.x = (ms) => PAD.left + ((ms - this.range[0]) / (this.range[1] - this.range[0])) * plotW;
    this.xToDay = (x) => this.range[0] + ((x - PAD.left) / plotW) * (this.range[1] - this.range[0]);
    const barW = Math.max(1, plotW / nBins - 1);
    for (const [bin, stack] of bins) {
      let y = PAD.top + plotH;
      stack.sort((a, b) => typeOrder(a.split) - typeOrder(b.split));
      for (const r of stack) {
        const h = (r.events / max) * plotH;
        y -= h;
        const rect = svg("rect", {
          x: this.x(first + bin * binDays * DAY),
          y,
          width: barW,
          height: Math.max(h, 0.5),
          fill: typeFill(r.split),
          class: "bar",
        });
        const title = svg("title");
        title.textContent = `${r.key}: ${r.events} ${r.split || ""}`;
        rect.append(title);
        node.append(rect);
      }
    }
    const axis = (x, label, anchor) => {
      const t = svg("text", { x, y: HEIGHT - 5, "text-anchor": anchor, class: "axis" });
      t.textContent = label;
      node.append(t);
    };
    axis(PAD.left, toText(first), "start");
    axis(width - PAD.right, toText(last), "end");
    const top = svg("text", { x: PAD.left - 4, y: PAD.top + 8, "text-anchor": "end", class: "axis" });
    top.textContent = String(max);
    node.append(top);
    node.append(svg("line", { x1: PAD.left, x2: width - PAD.right, y1: PAD.top + plotH, y2: PAD.top + plotH, class: "base" }));
    this.selection = svg("rect", { y: PAD.top, height: plotH, width: 0, class: "brush", visibility: "hidden" });
    node.append(this.selection);
    if (picked && (picked[0] || picked[1])) {
      const a = this.x(picked[0] ? toDay(picked[0]) : this.range[0]);
      const b = this.x(picked[1] ? toDay(picked[1]) + DAY : this.range[1]);
      this.showSelection(a, b);
    }
    document.body.dataset.timelineBins = String(bins.size);
  }

  showSelection(a, b) {
    this.selection.setAttribute("x", Math.min(a, b));
    this.selection.setAttribute("width", Math.abs(b - a));
    this.selection.setAttribute("visibility", "visible");
  }

  localX(event) {
    const box = this.node.getBoundingClientRect();
    const vb = this.node.viewBox.baseVal;
    return ((event.clientX - box.left) / box.width) * (vb ? vb.width : box.width);
  }

  start(event) {
    if (!this.range) return;
    this.drag = this.localX(event);
    this.node.setPointerCapture(event.pointerId);
    this.showSelection(this.drag, this.drag);
  }

  move(event) {
    if (this.drag === null || this.drag === undefined) return;
    this.showSelection(this.drag, this.localX(event));
  }

  end(event) {
    if (this.drag === null || this.drag === undefined) return;
    const a = this.drag;
    const b = this.localX(event);
    this.drag = null;
    if (Math.abs(b - a) < 3) {
      // a click, not a drag: keep the range picked before
      const [from, to] = this.picked || [null, null];
      if (from || to) {
        this.showSelection(this.x(from ? toDay(from) : this.range[0]), this.x(to ? toDay(to) + DAY : this.range[1]));
      } else {
        this.selection.setAttribute("visibility", "hidden");
      }
      return;
    }
    const lo = Math.max(this.range[0], this.xToDay(Math.min(a, b)));
    const hi = Math.min(this.range[1] - 1, this.xToDay(Math.max(a, b)));
    this.onPick(toText(lo), toText(hi));
  }
}
