// The exclusion-risk map: the level's boundaries coloured by the index embedded in the page (so map,
// priority list and table cannot disagree), support hubs as dots, and a dashed outline on high-risk
// areas with no hub within reach. Only the areas of the chosen district are drawn (the page's
// district filter is the map's "within"), and the map fits itself to them. Everything else on the page works without this script.
(function () {
  "use strict";
  var el = document.getElementById("inclusion-map");
  if (!el || !window.maplibregl) return;
  var data = JSON.parse(document.getElementById("inclusion-data").textContent);

  var style = { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#f8f8f8" } }] };
  if (el.dataset.tiles) {
    style.sources.basemap = { type: "raster", tiles: [el.dataset.tiles], tileSize: 256 };
    style.layers.push({ id: "basemap", type: "raster", source: "basemap" });
  }
  var map = new maplibregl.Map({ container: el, style: style, center: [-1.75, 53.75], zoom: 8.5, attributionControl: false, dragRotate: false });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.getCanvas().setAttribute("aria-label", el.getAttribute("aria-label"));
  var loaded = new Promise(function (resolve) { map.on("load", resolve); });
  var geometry = fetch(el.dataset.geometry).then(function (r) {
    if (!r.ok) throw new Error("map layer: HTTP " + r.status);
    return r.json();
  });

  Promise.all([geometry, loaded]).then(function (results) {
    var geo = results[0];
    var bounds = new maplibregl.LngLatBounds();
    geo.features = geo.features.filter(function (f) { return data.areas[f.properties.code]; });
    geo.features.forEach(function (f) {
      var d = data.areas[f.properties.code];
      f.properties.value = d[0];
      f.properties.cls = d[1] === null ? -1 : d[1];
      f.properties.nohub = d[2] === 1;
      eachCoord(f.geometry.coordinates, function (c) { bounds.extend(c); });
    });
    var fill = ["match", ["get", "cls"]];
    data.palette.forEach(function (colour, i) { fill.push(i, colour); });
    fill.push(data.no_data);
    if (data.palette.length === 0) fill = data.no_data;
    map.addSource("areas", { type: "geojson", data: geo });
    map.addLayer({ id: "areas-fill", type: "fill", source: "areas", paint: { "fill-color": fill, "fill-opacity": 0.85 } });
    map.addLayer({ id: "areas-line", type: "line", source: "areas", paint: { "line-color": "#505a5f", "line-width": 0.4 } });
    map.addLayer({ id: "areas-nohub", type: "line", source: "areas", filter: ["==", ["get", "nohub"], true],
      paint: { "line-color": "#0b0c0c", "line-width": 1.6, "line-dasharray": [2, 1.5] } });
    var hubs = { type: "FeatureCollection", features: data.hubs.map(function (h) {
      return { type: "Feature", properties: { name: h[2], kind: h[3] }, geometry: { type: "Point", coordinates: [h[0], h[1]] } };
    }) };
    map.addSource("hubs", { type: "geojson", data: hubs });
    map.addLayer({ id: "hubs", type: "circle", source: "hubs",
      paint: { "circle-radius": 3.5, "circle-color": "#d4351c", "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 } });
    if (!bounds.isEmpty()) map.fitBounds(bounds, { padding: 16, animate: false });

    var popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
    map.on("mousemove", "areas-fill", function (e) {
      var p = e.features[0].properties;
      map.getCanvas().style.cursor = "pointer";
      var v = p.value === null || p.value === "null" ? "no index" : Number(p.value).toFixed(2);
      popup.setLngLat(e.lngLat).setText(p.name + " (" + p.code + "): index " + v + (p.nohub ? "; high risk, no hub within reach" : "")).addTo(map);
    });
    map.on("mouseleave", "areas-fill", function () { map.getCanvas().style.cursor = ""; popup.remove(); });
    map.on("mousemove", "hubs", function (e) {
      var p = e.features[0].properties;
      popup.setLngLat(e.lngLat).setText(p.name + " (" + p.kind + ")").addTo(map);
    });
    map.on("click", "areas-fill", function (e) {
      // the page's settings (compare within, district, weights) go with it, so the area ranks the same way
      window.location.href = "/inclusion/area/" + encodeURIComponent(e.features[0].properties.code) + (data.carry ? "?" + data.carry : "");
    });
    map.once("idle", function () {
      el.dataset.features = String(geo.features.length);
      el.dataset.hubs = String(data.hubs.length);
      el.dataset.ready = "true";
    });
  }).catch(function (err) {
    el.dataset.error = String(err);
    var p = document.createElement("p");
    p.className = "govuk-body obs-map__fallback";
    p.textContent = "The map could not be drawn (" + err.message + "). The priority list and the table hold the same figures.";
    el.appendChild(p);
  });

  function eachCoord(coords, fn) {
    if (typeof coords[0] === "number") { fn(coords); return; }
    for (var i = 0; i < coords.length; i++) eachCoord(coords[i], fn);
  }
})();
