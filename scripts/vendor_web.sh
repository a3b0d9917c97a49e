#!/usr/bin/env bash
# Refresh the web page's vendored front-end files from the npm registry (run after changing
# web/package.json; the results are committed, so installing or serving Veilleur never needs npm):
#   - Leaflet and Leaflet.markercluster (dist files and licences) -> src/veilleur/web/static/vendor/
#   - the offline base map: Natural Earth 1:110m countries from world-atlas, as GeoJSON
#     -> src/veilleur/web/static/world.geojson (the report draws it too)
# Needs Node.js and npm. `npm ci` installs exactly the versions of web/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
STATIC="$ROOT/src/veilleur/web/static"
VENDOR="$STATIC/vendor"
(cd web && npm ci --no-audit --no-fund --loglevel=error)
NM="$ROOT/web/node_modules"

rm -rf "$VENDOR"
mkdir -p "$VENDOR/leaflet/images" "$VENDOR/leaflet.markercluster"
cp "$NM/leaflet/dist/leaflet.js" "$NM/leaflet/dist/leaflet.css" "$NM/leaflet/LICENSE" "$VENDOR/leaflet/"
cp "$NM"/leaflet/dist/images/*.png "$VENDOR/leaflet/images/"
cp "$NM/leaflet.markercluster/dist/leaflet.markercluster.js" \
   "$NM/leaflet.markercluster/dist/MarkerCluster.css" \
   "$NM/leaflet.markercluster/dist/MarkerCluster.Default.css" \
   "$NM/leaflet.markercluster/MIT-LICENCE.txt" "$VENDOR/leaflet.markercluster/"
# a version stamp the tests compare with web/package-lock.json
node -e '
const lock = require(process.argv[1]);
const pick = (n) => lock.packages["node_modules/" + n].version;
const out = {leaflet: pick("leaflet"), "leaflet.markercluster": pick("leaflet.markercluster"),
             "world-atlas": pick("world-atlas"), "topojson-client": pick("topojson-client")};
require("fs").writeFileSync(process.argv[2], JSON.stringify(out, null, 2) + "\n");
' "$ROOT/web/package-lock.json" "$VENDOR/versions.json"
(cd web && node build-world.mjs "$NM/world-atlas/countries-110m.json" "$STATIC/world.geojson")
cp "$NM/world-atlas/LICENSE" "$VENDOR/world-atlas-LICENSE"
find "$VENDOR" -type f -exec chmod 644 {} +
echo "vendored into $VENDOR and $STATIC/world.geojson"
