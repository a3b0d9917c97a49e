// Turns world-atlas's Natural Earth 1:110m countries (TopoJSON) into the small GeoJSON base map that the
// web page and the report draw when no tile server is configured. Coordinates are rounded to 0.01 degree.
// Usage: node build-world.mjs INPUT.json OUTPUT.geojson
import { readFileSync, writeFileSync } from "node:fs";
import { feature } from "topojson-client";

const [input, output] = process.argv.slice(2);
const topology = JSON.parse(readFileSync(input, "utf8"));
const countries = feature(topology, topology.objects.countries);
const round = (value) => (Array.isArray(value) ? value.map(round) : Math.round(value * 100) / 100);
const features = countries.features
  .filter((f) => f.geometry)
  .map((f) => ({
    type: "Feature",
    properties: { name: f.properties.name },
    geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) },
  }));
writeFileSync(output, JSON.stringify({ type: "FeatureCollection", features }) + "\n");
console.log(`${features.length} countries -> ${output}`);
