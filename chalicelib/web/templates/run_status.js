// Run now on AWS is queued: poll /api/run-status until every connection's cycle is recorded, then reload the page
// (which then shows the counts, as a refresh without JavaScript would).
(function () {
  "use strict";
  // The preview's Run now button: say at once that it is working (the sandbox runs the cycle in the request).
  var runForm = document.getElementById("run-now-form");
  if (runForm) {
    runForm.addEventListener("submit", function () {
      var button = document.getElementById("run-now");
      var progress = document.getElementById("run-now-progress");
      if (progress && button) progress.textContent = button.dataset.busy;
      if (button) window.setTimeout(function () { button.disabled = true; }, 0);
    });
  }
  var section = document.getElementById("run-status");
  if (!section || section.dataset.done === "yes") return;
  var since = section.dataset.since;
  var tries = 0;
  function poll() {
    tries += 1;
    fetch("/api/run-status?since=" + encodeURIComponent(since), { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (status) {
        if (status && status.done) { window.location.reload(); return; }
        if (tries < 120) window.setTimeout(poll, 2000);
      })
      .catch(function () { if (tries < 120) window.setTimeout(poll, 4000); });
  }
  window.setTimeout(poll, 1000);
})();
