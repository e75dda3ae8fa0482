// Poll the progress of background exports and reload the page when they are done.
(function () {
  "use strict";
  var list = document.querySelector(".export-jobs[data-progress-url]");
  if (!list) { return; }
  var url = list.getAttribute("data-progress-url");
  function update() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var running = data.jobs.filter(function (job) { return job.state !== "failed"; });
        data.jobs.forEach(function (job) {
          var item = list.querySelector('[data-job="' + job.id + '"]');
          if (!item) { return; }
          var bar = item.querySelector("progress");
          var text = item.querySelector(".percent");
          if (bar) { bar.value = job.percent; }
          if (text) { text.textContent = job.percent + " %"; }
        });
        if (running.length < list.querySelectorAll("progress").length) {
          window.location.reload();  // one finished: its file is now in the list
        } else if (running.length) {
          window.setTimeout(update, 2000);
        }
      })
      .catch(function () { window.setTimeout(update, 5000); });
  }
  window.setTimeout(update, 2000);
})();
