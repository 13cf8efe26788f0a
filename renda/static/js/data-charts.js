/* Page charts. Each <div class="data-chart" data-chart="ID" data-type="bar|column|pie"> is
   drawn from the JSON the page put in <script type="application/json" id="ID"> (Django's
   json_script): no inline script, which the CSP forbids. When the page has an element
   #chart-base with data-url and a row carries "param" and "key", clicking its bar or slice
   opens the records behind it (drill-down). Redrawn after htmx replaces the results. */
(function () {
  "use strict";

  var RED = "#b5121b";
  var COLORS = [RED, "#e0a100", "#777777", "#2f6db5", "#3a9a5b", "#8e44ad", "#d35400"];

  function options(type, rows, large) {
    var font = large ? 18 : 13;
    var names = rows.map(function (r) { return r.name; });
    // Rich-text tooltips: HTML tooltips would carry inline styles, which the CSP blocks.
    var tooltip = { trigger: "item", renderMode: "richText" };
    if (type === "pie") {
      return {
        aria: { enabled: true }, animation: false, tooltip: tooltip, color: COLORS,
        legend: { bottom: 0, textStyle: { fontSize: font } },
        series: [{ type: "pie", radius: ["35%", "65%"], data: rows,
                   label: { fontSize: font, formatter: "{b}\n{c}" } }]
      };
    }
    if (type === "column") {
      return {
        aria: { enabled: true }, animation: false, tooltip: tooltip,
        grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: names, axisLabel: { fontSize: font } },
        yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: font } },
        series: [{ type: "bar", data: rows, itemStyle: { color: RED }, barMaxWidth: 28 }]
      };
    }
    return {
      aria: { enabled: true }, animation: false, tooltip: tooltip,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: font } },
      yAxis: { type: "category", inverse: true, data: names, axisLabel: { fontSize: font } },
      series: [{ type: "bar", data: rows, itemStyle: { color: RED }, barMaxWidth: 22,
                 label: { show: true, position: "right", fontSize: font } }]
    };
  }

  function drillUrl(row) {
    var base = document.getElementById("chart-base");
    if (!base || !row || !row.param) {
      return null;
    }
    var url = base.dataset.url;
    var glue = url.indexOf("?") === -1 ? "?" : "&";
    return url + glue + encodeURIComponent(row.param) + "=" + encodeURIComponent(row.key);
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var rows = JSON.parse(source.textContent);
    if (!rows.length) {
      el.hidden = true;
      return;
    }
    var large = document.documentElement.classList.contains("large-text");
    if (el.dataset.type === "bar") {
      // One bar row per item: the chart grows with its data.
      el.style.height = (rows.length * (large ? 44 : 34) + 40) + "px";
    }
    var old = echarts.getInstanceByDom(el);
    if (old) {
      old.dispose();
    }
    // Canvas rendering: the SVG renderer would write style attributes that the CSP forbids.
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(options(el.dataset.type, rows, large));
    chart.on("click", function (params) {
      var url = drillUrl(rows[params.dataIndex]);
      if (url) {
        window.location.href = url;
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    document.querySelectorAll(".data-chart[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  document.addEventListener("htmx:afterSettle", init);
})();
