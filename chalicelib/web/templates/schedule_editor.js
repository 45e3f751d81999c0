// The schedule editor's live preview: on every change, ask the server to word each stage's message as the send
// would (POST /settings/schedule/preview, nothing is saved) and show it. Without JavaScript, the "Show the
// messages" button does the same with a page load.
(function () {
  "use strict";
  var form = document.getElementById("schedule-form");
  if (!form) return;
  var errors = document.getElementById("form-errors");
  if (errors) errors.scrollIntoView({ block: "center" });
  var timer = null;
  var asked = 0;
  function refresh() {
    var mine = ++asked;
    var body = new URLSearchParams(new FormData(form));
    body.delete("action");
    fetch("/settings/schedule/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (html === null || mine !== asked) return;
        var current = document.getElementById("stage-previews");
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#stage-previews");
        if (current && fresh) current.replaceWith(fresh);
      })
      .catch(function () {});
  }
  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
