// Poll the batch's progress and reload the page when the import has finished.
(function () {
  "use strict";
  var bar = document.getElementById("avance");
  var label = document.getElementById("avance-filas");
  if (!bar) { return; }
  function poll() {
    fetch(bar.dataset.url, {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (progress) {
        if (progress.finished) { window.location.reload(); return; }
        if (progress.total) { bar.max = progress.total; bar.value = progress.rows; }
        label.textContent = progress.rows.toLocaleString() + " " + label.dataset.suffix;
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
