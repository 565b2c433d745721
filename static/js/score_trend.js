// A partner's score over time (Chart.js, vendored), from the trend-data json_script; the label is on the canvas.
(function () {
  var canvas = document.getElementById("score-trend");
  var source = document.getElementById("trend-data");
  if (!canvas || !source || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [{ label: canvas.dataset.label, data: data.scores.map(Number), borderColor: "#1f5fbf", pointRadius: 0, tension: 0.2 }],
    },
    options: { scales: { y: { min: 0, max: 100 } }, plugins: { legend: { display: false } }, animation: false },
  });
})();
