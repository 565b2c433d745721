// Distribution fairness (Chart.js, vendored): leads offered, accepted and won per tier and per partner,
// from json_script elements. The tables beside the charts say the same without them.
(function () {
  if (typeof window.Chart === "undefined") return;

  function draw(canvasId, dataId) {
    var canvas = document.getElementById(canvasId);
    var source = document.getElementById(dataId);
    if (!canvas || !source) return;
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: canvas.dataset.offeredLabel, data: data.offered, backgroundColor: "#1f5fbf", borderRadius: 3 },
          { label: canvas.dataset.acceptedLabel, data: data.accepted, backgroundColor: "#e0a33a", borderRadius: 3 },
          { label: canvas.dataset.wonLabel, data: data.won, backgroundColor: "#1e7b4a", borderRadius: 3 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  draw("fairness-tiers", "fairness-tiers-data");
  draw("fairness-partners", "fairness-partners-data");
})();
