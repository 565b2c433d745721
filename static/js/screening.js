// Screening's charts (Chart.js, vendored): a radar per compared prospect over the criteria, and an
// exit review's score trend against the exit threshold, from json_script elements. The tables beside
// them say the same without it.
(function () {
  if (typeof window.Chart === "undefined") return;

  function data(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  var radar = data("screening-radar-data");
  if (radar) {
    radar.partners.forEach(function (partner) {
      var canvas = document.getElementById(partner.id);
      if (!canvas) return;
      new window.Chart(canvas, {
        type: "radar",
        data: {
          labels: radar.labels,
          datasets: [{ label: partner.name, data: partner.values, borderColor: "#1f5fbf", backgroundColor: "rgba(31, 95, 191, 0.18)", pointRadius: 3 }],
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: { r: { min: 0, max: 5, ticks: { stepSize: 1 } } },
        },
      });
    });
  }

  var trendCanvas = document.getElementById("exit-trend");
  var trend = data("exit-trend-data");
  if (trendCanvas && trend) {
    new window.Chart(trendCanvas, {
      type: "line",
      data: {
        labels: trend.labels,
        datasets: [
          { label: trendCanvas.dataset.scoreLabel, data: trend.scores, borderColor: "#b42318", pointRadius: 0, tension: 0.2 },
          { label: trendCanvas.dataset.thresholdLabel, data: trend.labels.map(function () { return trend.threshold; }), borderColor: "#888", borderDash: [6, 4], pointRadius: 0 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { x: { ticks: { maxTicksLimit: 8 } }, y: { min: 0, max: 100 } },
      },
    });
  }
})();
