// The choropleth: draws the level's boundaries (one cached GeoJSON layer per level) coloured by
// the figures embedded in the page, so the map and the table beside it cannot disagree.
// Everything else on the page works without this script.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.maplibregl) return;
  var data = JSON.parse(document.getElementById("map-data").textContent);

  function fmt(v, suppressed) {
    if (v === null || v === undefined) return suppressed ? data.suppressed_text : "no figure";
    return v.toFixed(1) + (data.unit === "%" ? "%" : " " + data.unit);
  }

  var style = {
    version: 8,
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": "#f8f8f8" } }],
  };
  if (el.dataset.tiles) {
    style.sources.basemap = { type: "raster", tiles: [el.dataset.tiles], tileSize: 256 };
    style.layers.push({ id: "basemap", type: "raster", source: "basemap" });
  }
  var map = new maplibregl.Map({
    container: el, style: style, center: [-1.75, 53.75], zoom: 8.5,
    attributionControl: false, dragRotate: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.getCanvas().setAttribute("aria-label", el.getAttribute("aria-label"));

  var loaded = new Promise(function (resolve) { map.on("load", resolve); });
  var geometry = fetch(el.dataset.geometry).then(function (r) {
    if (!r.ok) throw new Error("map layer: HTTP " + r.status);
    return r.json();
  });

  Promise.all([geometry, loaded]).then(function (results) {
    var geo = results[0];
    var withFigures = 0;
    var bounds = new maplibregl.LngLatBounds();
    geo.features.forEach(function (f) {
      var d = data.areas[f.properties.code];
      f.properties.value = d ? d[0] : null;
      f.properties.cls = d && d[1] !== null ? d[1] : -1;
      f.properties.below = !!d && d[2] === false;
      f.properties.suppressed = !!d && d[4] === true;
      if (d) withFigures += 1;
      eachCoord(f.geometry.coordinates, function (c) { bounds.extend(c); });
    });
    var fill = ["match", ["get", "cls"]];
    data.palette.forEach(function (colour, i) { fill.push(i, colour); });
    fill.push(data.no_data);
    if (data.palette.length === 0) fill = data.no_data;

    map.addSource("areas", { type: "geojson", data: geo });
    map.addLayer({ id: "areas-fill", type: "fill", source: "areas", paint: { "fill-color": fill, "fill-opacity": 0.9 } });
    map.addLayer({ id: "areas-line", type: "line", source: "areas", paint: { "line-color": "#505a5f", "line-width": 0.4 } });
    // Below target: a dashed outline, so the status does not depend on telling colours apart.
    map.addLayer({
      id: "areas-below", type: "line", source: "areas", filter: ["==", ["get", "below"], true],
      paint: { "line-color": "#0b0c0c", "line-width": 1.4, "line-dasharray": [2, 1.5] },
    });
    map.addLayer({
      id: "areas-hover", type: "line", source: "areas", filter: ["==", ["id"], -1],
      paint: { "line-color": "#ffdd00", "line-width": 3 },
    });
    if (!bounds.isEmpty()) map.fitBounds(bounds, { padding: 16, animate: false });

    var popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
    map.on("mousemove", "areas-fill", function (e) {
      var f = e.features[0];
      map.getCanvas().style.cursor = "pointer";
      map.setFilter("areas-hover", ["==", ["id"], f.id]);
      popup.setLngLat(e.lngLat)
        .setText(f.properties.name + " (" + f.properties.code + "): " + fmt(f.properties.value === "null" ? null : f.properties.value, f.properties.suppressed))
        .addTo(map);
    });
    map.on("mouseleave", "areas-fill", function () {
      map.getCanvas().style.cursor = "";
      map.setFilter("areas-hover", ["==", ["id"], -1]);
      popup.remove();
    });
    map.on("click", "areas-fill", function (e) {
      window.location.href = "/areas/" + encodeURIComponent(e.features[0].properties.code);
    });
    map.once("idle", function () {
      // For the browser tests and for anyone checking the map drew everything.
      var seen = {};
      map.queryRenderedFeatures({ layers: ["areas-fill"] }).forEach(function (f) { seen[f.properties.code] = 1; });
      el.dataset.features = String(geo.features.length);
      el.dataset.featuresWithFigures = String(withFigures);
      el.dataset.renderedFeatures = String(Object.keys(seen).length);
      el.dataset.ready = "true";
    });
  }).catch(function (err) {
    el.dataset.error = String(err);
    var p = document.createElement("p");
    p.className = "govuk-body obs-map__fallback";
    p.textContent = "The map could not be drawn (" + err.message + "). The table below holds the same figures.";
    el.appendChild(p);
  });

  function eachCoord(coords, fn) {
    if (typeof coords[0] === "number") { fn(coords); return; }
    for (var i = 0; i < coords.length; i++) eachCoord(coords[i], fn);
  }
})();
