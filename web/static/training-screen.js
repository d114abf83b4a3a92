// The check-in screen (培训签到屏): reload when the code on it expires, so the
// projector always shows the current code and the count of those present.
(function () {
  var screen = document.querySelector(".checkin-screen[data-expires]");
  if (!screen) return;
  var wait = Number(screen.getAttribute("data-expires")) - Date.now();
  // a clock that runs behind the server's would wait the whole window again
  setTimeout(function () { location.reload(); }, Math.min(Math.max(wait, 1000), 30000) + 250);
})();
