/**
 * The dashboard's only stylesheet and script, served from the Worker itself (no CDN, no web font), so the CSP can
 * forbid everything else. The script is an enhancement: every form works without it.
 */
export const CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--bg:#fff;--panel:#f6f8fa;--line:#d0d7de;--accent:#0b5cad;--ok:#1a7f37;--bad:#b42318;--warn:#8a5a00}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
header{display:flex;gap:1.5rem;align-items:center;padding:.75rem 1.5rem;border-bottom:1px solid var(--line);background:var(--panel);flex-wrap:wrap}
header strong{font-size:1.05rem}nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0;flex-wrap:wrap}nav a[aria-current=page]{font-weight:700;text-decoration:none;color:var(--fg)}
header form{margin-left:auto}main{padding:1.25rem 1.5rem;max-width:1200px}h1{font-size:1.4rem;margin:.25rem 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}th{font-weight:600;background:var(--panel)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}
button,.button{font:inherit;padding:.35rem .8rem;border:1px solid var(--line);border-radius:6px;background:#fff;color:var(--fg);cursor:pointer;text-decoration:none;display:inline-block}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}button.danger{color:var(--bad);border-color:var(--bad)}
form.inline{display:inline}.actions{display:flex;gap:.35rem;flex-wrap:wrap}
fieldset{border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin:0 0 1rem}legend{font-weight:600;padding:0 .25rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:.75rem}label{display:block;font-weight:600;font-size:.9rem}
input,select,textarea{font:inherit;width:100%;padding:.35rem .5rem;border:1px solid #8c959f;border-radius:6px;margin-top:.2rem}textarea{min-height:12rem;font-family:ui-monospace,monospace}
.hint{color:var(--muted);font-size:.85rem;font-weight:400}.status-active,.ok{color:var(--ok)}.status-blocked,.status-expired,.bad{color:var(--bad)}.warn{color:var(--warn)}
.notice{padding:.75rem 1rem;border-radius:8px;border:1px solid var(--line);background:var(--panel);margin:0 0 1rem}.notice.error{border-color:var(--bad);color:var(--bad)}.notice.success{border-color:var(--ok)}
.secret{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}.secret code{padding:.35rem .5rem;background:#fff;border:1px solid var(--line);border-radius:6px;word-break:break-all}
progress{width:12rem;height:1rem;vertical-align:middle}.chart{max-width:100%;height:auto;border:1px solid var(--line);border-radius:8px}.legend{display:flex;gap:1rem;flex-wrap:wrap;list-style:none;padding:0}
.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-1px}input.check{width:auto;margin-right:.4rem}.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}.skip:focus{width:auto;height:auto;clip:auto;padding:.3rem .6rem;background:var(--bg);z-index:10}
.login{max-width:26rem;margin:4rem auto;padding:0 1rem}
`;

export const JS = `
document.addEventListener('click', function (e) {
  var b = e.target.closest('[data-copy]');
  if (!b) return;
  var text = document.getElementById(b.getAttribute('data-copy')).textContent;
  navigator.clipboard.writeText(text).then(function () { b.textContent = 'Copied'; setTimeout(function () { b.textContent = 'Copy'; }, 1500); });
});
(function poll() {
  var live = document.querySelectorAll('[data-batch][data-live="1"]');
  if (!live.length) return;
  setTimeout(function () {
    fetch('/ui/batch-progress.json', { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : []; }).then(function (rows) {
      rows.forEach(function (b) {
        var row = document.querySelector('[data-batch="' + b.id + '"]');
        if (!row) return;
        var done = b.request_counts.completed + b.request_counts.failed;
        var bar = row.querySelector('progress'); if (bar) { bar.max = Math.max(b.request_counts.total, 1); bar.value = done; }
        var text = row.querySelector('[data-progress]'); if (text) text.textContent = done + ' / ' + b.request_counts.total;
        var status = row.querySelector('[data-status]'); if (status) status.textContent = b.status;
        if (['completed', 'failed', 'expired', 'cancelled'].indexOf(b.status) >= 0 && row.getAttribute('data-live') === '1') { row.setAttribute('data-live', '0'); location.reload(); }
      });
      poll();
    });
  }, 1500);
})();
`;
