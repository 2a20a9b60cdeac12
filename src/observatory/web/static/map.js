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
  // The areas come as vector tiles (/api/v1/tiles: a few hundred kilobytes where the output
  // areas' GeoJSON is 3.9 MB), coloured by look-ups from area code to class that MapLibre's
  // worker evaluates; the browser's cache keeps the tiles between indicators. Each level's tiles
  // were cut when the store was built, at the zooms the figures say (tile_zooms: the first the
  // map zooms out to, and the last where the shapes gain detail); MapLibre draws deeper zooms
  // from the last, so no tile is ever cut while someone waits for the map.
  function tiles(level, zooms) {
    return { type: "vector", tiles: [window.location.origin + "/api/v1/tiles/" + level + "/{z}/{x}/{y}.pbf"],
             minzoom: zooms[0], maxzoom: zooms[1] };
  }
  var figures = getJSON(el.dataset.areas, "map figures");
  var outlines = el.dataset.outlines ? getJSON(el.dataset.outlines, "district outlines") : Promise.resolve(null);
  Promise.all([figures, loaded]).then(function (results) {
    var zooms = results[0].tile_zooms;
    map.setMinZoom(zooms[el.dataset.level][0]);
    map.addSource("areas", tiles(el.dataset.level, zooms[el.dataset.level]));
    if (el.dataset.wards) map.addSource("wards", tiles("ward", zooms.ward));
  });
  map.on("error", function (e) {
    if (e.sourceId === "areas" || e.sourceId === "wards") fail(new Error("map layer: " + (e.error && e.error.message)));
  });

  Promise.all([figures, outlines, loaded]).then(function (results) {
    data = results[0];
    var districts = results[1];
    var classOf = {}, below = {};
    Object.keys(data.areas).forEach(function (code) {
      var d = data.areas[code];
      classOf[code] = d[1] !== null ? d[1] : -1;
      if (d[2] === false) below[code] = true;
    });
    var code = ["get", "code"];
    // With a "within" choice, only that district's areas are drawn and the map zooms to them.
    var only = el.dataset.within ? ["has", code, ["literal", classOf]] : null;
    var fill = ["match", ["coalesce", ["get", code, ["literal", classOf]], -1]];
    data.palette.forEach(function (colour, i) { fill.push(i, colour); });
    fill.push(data.no_data);
    if (data.palette.length === 0) fill = data.no_data;

    var fillLayer = { id: "areas-fill", type: "fill", source: "areas", "source-layer": "areas", paint: { "fill-color": fill, "fill-opacity": 0.9 } };
    // Over output areas and LSOAs the ward outlines say where things are; each small area's own
    // outline only once zoomed in, where it is more than a grey wash (and it halves the drawing).
    var lineLayer = { id: "areas-line", type: "line", source: "areas", "source-layer": "areas", minzoom: el.dataset.wards ? 11 : 0,
                      paint: { "line-color": "#505a5f", "line-width": 0.4 } };
    if (only) { fillLayer.filter = only; lineLayer.filter = only; }
    map.addLayer(fillLayer);
    map.addLayer(lineLayer);
    if (el.dataset.wards) {
      map.addLayer({ id: "wards-line", type: "line", source: "wards", "source-layer": "areas", paint: { "line-color": "#0b0c0c", "line-width": 0.9, "line-opacity": 0.7 } });
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
      id: "areas-below", type: "line", source: "areas", "source-layer": "areas", filter: ["has", code, ["literal", below]],
      paint: { "line-color": "#0b0c0c", "line-width": 1.4, "line-dasharray": [2, 1.5] },
    });
    map.addLayer({
      id: "areas-hover", type: "line", source: "areas", "source-layer": "areas", filter: ["==", code, ""],
      paint: { "line-color": "#ffdd00", "line-width": 3 },
    });
    if (data.bounds) map.fitBounds(data.bounds, { padding: 16, animate: false });

    // Pointing shows the figure; a tap or click pins it, with a link to the area's profile (a
    // tap never leaves the page, so the figure can be read on a phone).
    var popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
    // focusAfterOpen off: choosing areas with the arrow keys in the select must keep the focus there
    var pinned = new maplibregl.Popup({ closeButton: true, closeOnClick: true, maxWidth: "280px", focusAfterOpen: false });
    map.on("mousemove", "areas-fill", function (e) {
      var f = e.features[0];
      map.getCanvas().style.cursor = "pointer";
      map.setFilter("areas-hover", ["==", code, f.properties.code]);
      popup.setLngLat(e.lngLat).setText(describe(f.properties)).addTo(map);
    });
    map.on("mouseleave", "areas-fill", function () {
      map.getCanvas().style.cursor = "";
      map.setFilter("areas-hover", ["==", code, ""]);
      popup.remove();
    });
    map.on("click", "areas-fill", function (e) {
      popup.remove();
      pin(e.lngLat, e.features[0].properties);
    });
    function pin(lngLat, p) {
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
      pinned.setLngLat(lngLat).setDOMContent(box).addTo(map);
    }

    // The keyboard route on the map itself: a select of the table page's areas (the arrow keys
    // step through it); choosing one outlines it, centres the map on it and pins its figure.
    var goto = document.getElementById("map-goto");
    if (goto) {
      document.getElementById("map-goto-group").hidden = false;
      goto.addEventListener("change", function () {
        var option = goto.options[goto.selectedIndex];
        if (!option || !option.value) return;
        var at = option.getAttribute("data-at").split(",").map(Number);
        var d = data.areas[option.value] || [];
        map.setFilter("areas-hover", ["==", code, option.value]);
        map.easeTo({ center: at, zoom: Math.max(map.getZoom(), el.dataset.wards ? 12 : 10), duration: 0 });
        pin(at, { code: option.value, name: d[3] || option.textContent });
        el.dataset.shown = option.value;
      });
    }
    map.once("idle", function () {
      // Drawn. Then, for the browser tests and for anyone checking that the map drew everything:
      // the areas the map loaded, how many of them have a figure, and how many are on screen.
      el.dataset.ready = "true";
      window.setTimeout(function () {
        var loadedCodes = {}, seen = {}, withFigures = 0;
        map.querySourceFeatures("areas", { sourceLayer: "areas" }).forEach(function (f) { loadedCodes[f.properties.code] = 1; });
        Object.keys(loadedCodes).forEach(function (c) { if (data.areas[c]) withFigures += 1; });
        map.queryRenderedFeatures({ layers: ["areas-fill"] }).forEach(function (f) { seen[f.properties.code] = 1; });
        el.dataset.features = String(Object.keys(loadedCodes).length);
        el.dataset.featuresWithFigures = String(withFigures);
        el.dataset.renderedFeatures = String(Object.keys(seen).length);
        el.dataset.checked = "true";
      }, 0);
    });
  }).catch(fail);

  function fail(err) {
    if (el.dataset.error) return;
    el.dataset.error = String(err);
    var p = document.createElement("p");
    p.className = "govuk-body obs-map__fallback";
    p.textContent = "The map could not be drawn (" + err.message + "). The table below holds the same figures.";
    el.appendChild(p);
  }

  function eachCoord(coords, fn) {
    if (typeof coords[0] === "number") { fn(coords); return; }
    for (var i = 0; i < coords.length; i++) eachCoord(coords[i], fn);
  }
})();
