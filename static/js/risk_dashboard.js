// The risk dashboard's charts (Chart.js, vendored): open alerts over 90 days and how much of their
// credit limit partners use, from json_script elements. The tables beside them say the same without it.
(function () {
  if (typeof window.Chart === "undefined") return;

  function data(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  var trendCanvas = document.getElementById("risk-trend");
  var trend = data("risk-trend-data");
  if (trendCanvas && trend) {
    new window.Chart(trendCanvas, {
      type: "line",
      data: {
        labels: trend.labels,
        datasets: [
          { label: trendCanvas.dataset.openLabel, data: trend.open, borderColor: "#1f5fbf", backgroundColor: "rgba(31, 95, 191, 0.12)", fill: true, pointRadius: 0, tension: 0.2 },
          { label: trendCanvas.dataset.criticalLabel, data: trend.critical, borderColor: "#b42318", pointRadius: 0, tension: 0.2 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { x: { ticks: { maxTicksLimit: 8 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  var usedCanvas = document.getElementById("risk-utilisation");
  var used = data("risk-utilisation-data");
  if (usedCanvas && used) {
    new window.Chart(usedCanvas, {
      type: "bar",
      data: {
        labels: used.labels,
        datasets: [{ label: usedCanvas.dataset.label, data: used.counts, backgroundColor: ["#1e7b4a", "#1f5fbf", "#e0a33a", "#c8102e", "#7a0a1d"], borderRadius: 4 }],
      },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
})();
