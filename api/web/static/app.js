// Light interactivity only: poll a running job and follow it to its result page.
(function () {
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.getAttribute("data-state-url");
  var bar = box.querySelector("progress");
  var status = box.querySelector("[data-testid=job-status]");
  var message = box.querySelector("[data-field=message]");
  function poll() {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
      if (bar) bar.value = s.progress || 0;
      if (status) status.textContent = s.status;
      if (message) message.textContent = s.message || "";
      if (s.next) { window.location.replace(s.next); return; }
      if (s.status === "queued" || s.status === "running") { setTimeout(poll, 400); }
      else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 1500); });
  }
  if (bar) setTimeout(poll, 200);
})();
