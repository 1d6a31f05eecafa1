// Live topic preview: while an operator edits a topic, the preview below the form is refreshed from the
// server (same form, same CSRF token) a moment after they stop typing. Without JavaScript the Preview
// button does the same with a full page load. Served by us (script-src 'self'); no inline script.
(function () {
  var form = document.querySelector('form[data-preview-url]');
  var target = document.getElementById('preview');
  if (!form || !target || !window.fetch || !window.FormData) return;
  var timer = null;
  var seq = 0;
  function refresh() {
    var mine = ++seq;
    target.setAttribute('aria-busy', 'true');
    fetch(form.getAttribute('data-preview-url'), {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
      headers: { 'x-preview': 'fragment' },
    })
      .then(function (res) { return res.text().then(function (text) { return { ok: res.ok, text: text }; }); })
      .then(function (r) {
        if (mine !== seq) return;
        var doc = new DOMParser().parseFromString(r.text, 'text/html');
        var fresh = doc.getElementById('preview');
        target.replaceChildren.apply(target, fresh ? Array.prototype.slice.call(fresh.childNodes) : []);
        target.removeAttribute('aria-busy');
      })
      .catch(function () {
        if (mine === seq) target.removeAttribute('aria-busy');
      });
  }
  form.addEventListener('input', function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  });
})();
