/* Charts on the workbench: each <div class="chart" data-chart="ID"> is drawn from the JSON
   that the page put in <script type="application/json" id="ID"> with Django's json_script. */
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var rows = JSON.parse(source.textContent);
    var large = document.documentElement.classList.contains("large-text");
    var font = large ? 18 : 13;
    el.classList.add("chart-ready");
    // One bar row per kind: the chart grows with its data instead of leaving a blank box.
    el.style.height = (rows.length * (large ? 44 : 34) + 40) + "px";
    // Canvas rendering: the SVG renderer would write style attributes that the CSP forbids.
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: font } },
      yAxis: {
        type: "category",
        inverse: true,
        data: rows.map(function (r) { return r.name; }),
        axisLabel: { fontSize: font, color: large ? "#000" : "#333" }
      },
      // Rich-text tooltips: HTML tooltips would carry inline styles, which the CSP blocks.
      tooltip: { trigger: "item", renderMode: "richText" },
      series: [{
        type: "bar",
        data: rows.map(function (r) { return r.value; }),
        itemStyle: { color: large ? "#7a0000" : "#b5121b" },
        barMaxWidth: 22,
        label: { show: true, position: "right", fontSize: font, color: large ? "#000" : "#333" }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    document.querySelectorAll(".chart[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
