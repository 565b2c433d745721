// Partner satisfaction (Chart.js, vendored): the figure and the mean score per quarter beside the mean
// ticket rating, and the figure per tier, from a json_script element. The table below says the same without it.
(function () {
  if (typeof window.Chart === "undefined") return;
  var source = document.getElementById("satisfaction-data");
  if (!source) return;
  var chart = JSON.parse(source.textContent);
  var colours = ["#1f5fbf", "#1e7b4a", "#e0a33a", "#c8102e", "#7a0a1d", "#5b3fa0"];

  var trendCanvas = document.getElementById("satisfaction-trend");
  if (trendCanvas) {
    new window.Chart(trendCanvas, {
      type: "line",
      data: {
        labels: chart.labels,
        datasets: [
          { label: trendCanvas.dataset.figureLabel, data: chart.overall, borderColor: "#1f5fbf", backgroundColor: "rgba(31, 95, 191, 0.12)", fill: true, tension: 0.2, yAxisID: "y", spanGaps: true },
          { label: trendCanvas.dataset.meanLabel, data: chart.mean, borderColor: "#1e7b4a", tension: 0.2, yAxisID: "y2", spanGaps: true },
          { label: trendCanvas.dataset.ratingLabel, data: chart.ratings, borderColor: "#e0a33a", borderDash: [6, 4], tension: 0.2, yAxisID: "y2", spanGaps: true },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { min: -100, max: 100, position: "left" },
          y2: { min: 0, max: 10, position: "right", grid: { drawOnChartArea: false } },
        },
      },
    });
  }

  var tierCanvas = document.getElementById("satisfaction-tiers");
  if (tierCanvas) {
    new window.Chart(tierCanvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.tiers.map(function (tier, index) {
          return { label: tier.name, data: tier.values, backgroundColor: colours[index % colours.length], borderRadius: 4 };
        }),
      },
      options: { maintainAspectRatio: false, animation: false, scales: { y: { min: -100, max: 100 } } },
    });
  }
})();
