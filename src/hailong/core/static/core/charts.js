/* Charts become interactive when someone reaches for one.
 *
 * Every chart arrives as an SVG drawn on the server (readable without JavaScript) followed by
 * its Vega-Lite specification in a <script type="application/json">. The first pointer or
 * touch on a chart loads the Vega bundle from this site (once per page) and redraws that chart
 * with tooltips, links to each unit's page and legends that pick a series. If anything fails,
 * the server's SVG simply stays. Listening on the document also covers charts that htmx swaps
 * in later (the progress board refreshes itself).
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var bundle = me.getAttribute("data-bundle");
  var locale = JSON.parse(me.getAttribute("data-locale"));
  var loading = null;

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = bundle;
        s.onload = resolve;
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  function liven(box) {
    box.setAttribute("data-live", "loading");
    var drawn = box.querySelector("svg");
    var spec = JSON.parse(box.querySelector('script[type="application/json"]').textContent);
    var holder = document.createElement("div");
    holder.className = "chart-view";
    load()
      .then(function () {
        return window.vegaEmbed(holder, spec, {
          renderer: "svg",
          actions: false,
          formatLocale: locale,
          tooltip: { theme: "custom" }, // styled in site.css, with enough contrast
        });
      })
      .then(function () {
        var svg = holder.querySelector("svg");
        // the same name and description as the server's image; the marks stay silent
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", drawn.getAttribute("aria-label") || "");
        svg.setAttribute("focusable", "false");
        svg.removeAttribute("aria-roledescription");
        svg.removeAttribute("width");
        svg.removeAttribute("height");
        // never narrower than drawn: on a phone the chart scrolls in its region instead
        svg.setAttribute("style", drawn.getAttribute("style") || "");
        svg.classList.add("chart");
        var desc = drawn.querySelector("desc");
        if (desc) svg.insertBefore(desc.cloneNode(true), svg.firstChild);
        box.replaceChild(holder, drawn);
        box.setAttribute("data-live", "yes");
      })
      .catch(function () {
        box.setAttribute("data-live", "failed");
      });
  }

  // Vega's tooltip repeats, for the pointer, what the table beside the chart says: it lives in
  // <main> (every part of the page in a landmark), is hidden from screen readers, and Escape
  // dismisses it (WCAG 1.4.13).
  function keepTooltip() {
    var tip = document.getElementById("vg-tooltip-element");
    var main = document.querySelector("main");
    if (tip && main && tip.parentNode !== main) {
      tip.setAttribute("aria-hidden", "true");
      main.appendChild(tip);
    }
  }
  document.addEventListener("keydown", function (event) {
    var tip = document.getElementById("vg-tooltip-element");
    if (event.key === "Escape" && tip) tip.classList.remove("visible");
  });

  function reach(event) {
    var box = event.target.closest && event.target.closest("[data-chart]:not([data-live])");
    if (box) liven(box);
  }
  // vega-tooltip appends its element to <body> when it first shows a tooltip
  new MutationObserver(keepTooltip).observe(document.body, { childList: true });
  document.addEventListener("pointerover", reach, { passive: true });
  document.addEventListener("touchstart", reach, { passive: true });
  // a part of the page swapped in by htmx (the progress board's refresh) brings its charts
  // back as server SVG: once Vega is here, redraw them at once, as they were
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!window.vegaEmbed) return;
    event.target.querySelectorAll("[data-chart]:not([data-live])").forEach(liven);
  });
})();
