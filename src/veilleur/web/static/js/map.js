// The Leaflet map: an offline base (country outlines and a graticule) or a configured tile server, and the
// events as clustered markers coloured by type.
import { el } from "./dom.js";
import { typeSlug } from "./colors.js";

/* global L */

export class EventMap {
  constructor(node, config, onSelect, onMove) {
    this.onSelect = onSelect;
    this.markers = new Map();
    // the offline base is 1:110m outlines: past zoom 11 it shows nothing more, so clusters split there
    const maxZoom = config.tile_url ? 18 : 11;
    this.map = L.map(node, { worldCopyJump: true, minZoom: 1, maxZoom, preferCanvas: false });
    this.map.attributionControl.setPrefix("Leaflet");
    if (config.tile_url) {
      L.tileLayer(config.tile_url, { attribution: config.tile_attribution || "", maxZoom: 18 }).addTo(this.map);
    } else {
      node.classList.add("offline");
      this.offlineBase();
    }
    this.cluster = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 40,
      iconCreateFunction: (cluster) => clusterIcon(cluster),
    });
    this.cluster.addTo(this.map);
    this.map.setView([20, 10], 2);
    this.map.on("moveend", () => onMove(this.viewString(), this.bboxString()));
  }

  async offlineBase() {
    const graticule = [];
    for (let lon = -180; lon <= 180; lon += 15) graticule.push([[-85, lon], [85, lon]]);
    for (let lat = -75; lat <= 75; lat += 15) graticule.push([[lat, -180], [lat, 180]]);
    L.polyline(graticule, { color: "#9fb3c8", weight: 0.5, interactive: false }).addTo(this.map);
    try {
      const world = await (await fetch("/static/world.geojson")).json();
      L.geoJSON(world, {
        interactive: false,
        style: { color: "#7d8fa3", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1 },
      }).addTo(this.map).bringToBack();
      this.map.attributionControl.addAttribution("Base map: Natural Earth (public domain)");
    } catch {
      /* the graticule alone still locates the points */
    }
  }

  // rows: [id, lat, lon, type, date, fatalities]
  setPoints(rows, fit) {
    this.cluster.clearLayers();
    this.markers.clear();
    const layers = rows.map(([id, lat, lon, type, date]) => {
      const marker = L.marker([lat, lon], {
        icon: L.divIcon({ className: `ev-marker t-${typeSlug(type)}`, iconSize: [14, 14] }),
        title: `${date || "undated"} — ${type}`,
        keyboard: true,
      });
      marker.eventId = id;
      marker.eventType = type;
      marker.on("click", () => this.onSelect(id));
      this.markers.set(id, marker);
      return marker;
    });
    this.cluster.addLayers(layers);
    if (fit && layers.length) {
      const bounds = L.latLngBounds(rows.map((r) => [r[1], r[2]]));
      this.map.fitBounds(bounds.pad(0.2), { maxZoom: 8, animate: false });
    }
    document.body.dataset.points = String(rows.length);
    if (this.selectedId) this.highlight(this.selectedId); // the new markers keep the selection
  }

  highlight(id) {
    this.selectedId = id || "";
    for (const node of document.querySelectorAll(".ev-marker.selected")) node.classList.remove("selected");
    const marker = id && this.markers.get(id);
    if (!marker) return;
    const mark = () => {
      if (this.selectedId !== id) return;
      const icon = marker.getElement();
      if (icon) icon.classList.add("selected");
    };
    this.cluster.zoomToShowLayer(marker, mark);
    // in case no zoom animation ran (the callback waits for one), or the view was moved or the clusters were
    // redrawn meanwhile: show it again while it is still the selected one and still hidden in a cluster
    const again = () => {
      if (this.selectedId !== id) return;
      if (marker.getElement()) mark();
      else this.cluster.zoomToShowLayer(marker, mark);
    };
    for (const delay of [300, 1000, 2500, 5000]) setTimeout(again, delay);
  }

  setView(text) {
    const parts = (text || "").split("/").map(Number);
    if (parts.length === 3 && parts.every(Number.isFinite)) {
      this.map.setView([parts[1], parts[2]], parts[0], { animate: false });
      return true;
    }
    return false;
  }

  viewString() {
    const c = this.map.getCenter();
    return `${this.map.getZoom()}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`;
  }

  bboxString() {
    const b = this.map.getBounds();
    const clamp = (v, m) => Math.max(-m, Math.min(m, v)).toFixed(4);
    return [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180), clamp(b.getNorth(), 90)].join(",");
  }
}

function clusterIcon(cluster) {
  const counts = new Map();
  for (const marker of cluster.getAllChildMarkers()) {
    counts.set(marker.eventType, (counts.get(marker.eventType) || 0) + 1);
  }
  let top = null;
  for (const [type, n] of counts) if (top === null || n > counts.get(top)) top = type;
  const n = cluster.getChildCount();
  const size = n < 10 ? 30 : n < 100 ? 36 : 44;
  const html = el("div", {}, el("span", { text: String(n) }));
  return L.divIcon({ html, className: `ev-cluster t-${typeSlug(top)}`, iconSize: L.point(size, size) });
}
