/* The workbench's charts: each [data-chart] box draws the JSON of the element it names, with
   Apache ECharts served by this server. Without ECharts the table under the chart remains. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var boxes = document.querySelectorAll("[data-chart]");
  var charts = [];
  boxes.forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var selected = {};
    data.series.forEach(function (s) { selected[s.name] = data.shown.indexOf(s.name) >= 0; });
    var font = parseFloat(window.getComputedStyle(document.documentElement).fontSize) || 16;
    // Bars lie down so that long node names read on a phone; the box grows with the rows.
    box.style.height = Math.max(260, data.categories.length * font * 3 + 120) + "px";
    box.hidden = false;
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      aria: { enabled: true },
      textStyle: { fontSize: font * 0.8 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", top: 0, selected: selected, textStyle: { fontSize: font * 0.8 } },
      grid: { left: 8, right: 24, top: font * 3, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.categories,
               axisLabel: { fontSize: font * 0.8, width: font * 7, overflow: "truncate" } },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, label: { show: false } };
      })
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
