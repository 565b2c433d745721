// Partners by tier on the vendor dashboard (Chart.js, vendored). The page still reads without it.
(function () {
  var canvas = document.getElementById("tier-chart");
  var source = document.getElementById("tier-chart-data");
  if (!canvas || !source || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ data: data.counts, backgroundColor: ["#c8102e", "#e0a33a", "#1f5fbf", "#5b6676", "#1e7b4a"], borderRadius: 4 }],
    },
    options: {
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
})();
