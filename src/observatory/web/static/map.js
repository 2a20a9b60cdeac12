// The choropleth: draws the level's boundaries (one cached GeoJSON layer per level) coloured by
// the same figures as the table (fetched from /map/areas, which the table's page is one page of),
// with district outlines and names over finer levels. Everything else on the page works without
// this script; the table is the keyboard route to every area.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.maplibregl) return;
  var data = null;

  function fmt(v, suppressed) {
    if (v === null || v === undefined) return suppressed ? data.suppressed_text : "no figure";
    var text = v.toFixed(1);
    if (text === "0.0" && v > 0) text = "<0.1";
    return text + (data.unit === "%" ? "%" : " " + data.unit);
  }

  function describe(p) {
    var d = data.areas[p.code] || [];
    var value = d.length ? d[0] : null;
    var text = (p.name || d[3] || p.code) + (d[5] ? ", " + d[5] : "") + ": " + fmt(value, d[4] === true);
    if (d[6]) text += " (illustrative)";
    return text;
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
  function getJSON(url, what) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(what + ": HTTP " + r.status);
      return r.json();
    });
  }
  var geometry = getJSON(el.dataset.geometry, "map layer");
  var figures = getJSON(el.dataset.areas, "map figures");
  var outlines = el.dataset.outlines ? getJSON(el.dataset.outlines, "district outlines") : Promise.resolve(null);
  var wardLines = el.dataset.wards ? getJSON(el.dataset.wards, "ward outlines") : Promise.resolve(null);

  Promise.all([geometry, figures, outlines, loaded, wardLines]).then(function (results) {
    var geo = results[0];
    data = results[1];
    var districts = results[2];
    var wards = results[4];
    var withFigures = 0;
    var bounds = new maplibregl.LngLatBounds();
    geo.features.forEach(function (f) {
      var d = data.areas[f.properties.code];
      f.properties.value = d ? d[0] : null;
      f.properties.cls = d && d[1] !== null ? d[1] : -1;
      f.properties.below = !!d && d[2] === false;
      f.properties.suppressed = !!d && d[4] === true;
      f.properties.inside = !!d;
      if (d) {
        withFigures += 1;
        eachCoord(f.geometry.coordinates, function (c) { bounds.extend(c); });
      }
    });
    // With a "within" choice, only that district's areas are drawn and the map zooms to them.
    var only = el.dataset.within ? ["==", ["get", "inside"], true] : null;
    var fill = ["match", ["get", "cls"]];
    data.palette.forEach(function (colour, i) { fill.push(i, colour); });
    fill.push(data.no_data);
    if (data.palette.length === 0) fill = data.no_data;

    map.addSource("areas", { type: "geojson", data: geo });
    var fillLayer = { id: "areas-fill", type: "fill", source: "areas", paint: { "fill-color": fill, "fill-opacity": 0.9 } };
    var lineLayer = { id: "areas-line", type: "line", source: "areas", paint: { "line-color": "#505a5f", "line-width": 0.4 } };
    if (only) { fillLayer.filter = only; lineLayer.filter = only; }
    map.addLayer(fillLayer);
    map.addLayer(lineLayer);
    if (wards) {
      // Ward outlines over output areas and LSOAs: the places people know.
      map.addSource("wards", { type: "geojson", data: wards });
      map.addLayer({ id: "wards-line", type: "line", source: "wards", paint: { "line-color": "#0b0c0c", "line-width": 0.9, "line-opacity": 0.7 } });
    }
    if (districts) {
      // District outlines and names over finer levels: where the small areas are.
      map.addSource("districts", { type: "geojson", data: districts });
      map.addLayer({ id: "districts-line", type: "line", source: "districts", paint: { "line-color": "#0b0c0c", "line-width": 2 } });
      districts.features.forEach(function (f) {
        var b = new maplibregl.LngLatBounds();
        eachCoord(f.geometry.coordinates, function (c) { b.extend(c); });
        var label = document.createElement("span");
        label.className = "obs-map__label";
        label.textContent = f.properties.name;
        new maplibregl.Marker({ element: label }).setLngLat(b.getCenter()).addTo(map);
        // a visual aid only (the names are in the table): not a "Map marker" for screen readers
        label.removeAttribute("aria-label");
        label.removeAttribute("role");
        label.removeAttribute("tabindex");
        label.setAttribute("aria-hidden", "true");
      });
    }
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

    // Pointing shows the figure; a tap or click pins it, with a link to the area's profile (a
    // tap never leaves the page, so the figure can be read on a phone).
    var popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
    var pinned = new maplibregl.Popup({ closeButton: true, closeOnClick: true, maxWidth: "280px" });
    map.on("mousemove", "areas-fill", function (e) {
      var f = e.features[0];
      map.getCanvas().style.cursor = "pointer";
      map.setFilter("areas-hover", ["==", ["id"], f.id]);
      popup.setLngLat(e.lngLat).setText(describe(f.properties)).addTo(map);
    });
    map.on("mouseleave", "areas-fill", function () {
      map.getCanvas().style.cursor = "";
      map.setFilter("areas-hover", ["==", ["id"], -1]);
      popup.remove();
    });
    map.on("click", "areas-fill", function (e) {
      var p = e.features[0].properties;
      var box = document.createElement("div");
      var line = document.createElement("p");
      line.className = "govuk-body-s";
      line.textContent = describe(p);
      var link = document.createElement("a");
      link.className = "govuk-link";
      link.href = "/areas/" + encodeURIComponent(p.code);
      link.textContent = "Open the profile of " + (p.name || p.code);
      box.appendChild(line);
      box.appendChild(link);
      popup.remove();
      pinned.setLngLat(e.lngLat).setDOMContent(box).addTo(map);
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
