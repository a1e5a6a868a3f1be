// rmbg results page: plain JS, no build step, no external resources. Talks to /api/ with the
// token kept in localStorage; images are fetched with the token and shown as blob: URLs.
'use strict';
const $ = (id) => document.getElementById(id);
// A link may carry the token in its fragment (#token=…, never sent to the server): kept, then
// removed from the address bar. bin/rmbg local --demo prints such a link.
const linked = new URLSearchParams(location.hash.slice(1)).get('token');
if (linked) {
  localStorage.setItem('rmbg.token', linked);
  history.replaceState(null, '', location.pathname + location.search);
}
const state = { token: localStorage.getItem('rmbg.token') || '', cursor: null, query: '', urls: [] };

async function api(path) {
  const r = await fetch(path, { headers: { Authorization: 'Bearer ' + state.token } });
  if (!r.ok) {
    let msg = r.status + '';
    try { msg = (await r.json()).error; } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  return r;
}

async function image(url) {
  const blob = await (await api(url)).blob();
  const u = URL.createObjectURL(blob);
  state.urls.push(u);
  return u;
}

function say(text) { $('message').textContent = text || ''; }

function filterQuery() {
  const p = new URLSearchParams();
  const add = (k, v) => { if (v) p.set(k, v); };
  add('status', $('status').value);
  add('tag', $('tag').value.trim());
  add('tag_like', $('tag-like').value.trim());
  add('from', $('from').value);
  add('to', $('to').value);
  return p;
}

async function loadPage(first) {
  if (first) {
    state.urls.forEach(URL.revokeObjectURL);
    state.urls = [];
    $('gallery').replaceChildren();
    state.cursor = null;
    state.query = filterQuery().toString();
  }
  const p = new URLSearchParams(state.query);
  if (state.cursor) p.set('cursor', state.cursor);
  const page = await (await api('/api/jobs?' + p)).json();
  state.cursor = page.next_cursor;
  $('load-more').hidden = !state.cursor;
  for (const job of page.jobs) $('gallery').append(card(job));
  $('empty').hidden = $('gallery').children.length > 0;
}

function card(job) {
  const el = document.createElement('article');
  el.className = 'card';
  el.dataset.jobId = job.job_id;
  el.dataset.status = job.status;
  const pic = document.createElement('div');
  pic.className = 'pic';
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = new Date(job.created_at).toLocaleString() + (job.tags.length ? ' · ' + job.tags.join(', ') : '')
    + (job.reused ? ' · reused' : '');
  if (job.status === 'failed') {
    const f = document.createElement('span');
    f.className = 'failed';
    f.textContent = job.error_code || 'failed';
    pic.append(f);
  } else if (job.blobs.cutout) {
    const img = document.createElement('img');
    img.className = 'cutout';
    img.alt = 'cut-out of ' + job.job_id;
    pic.append(img);
    image(job.blobs.cutout.url).then((u) => { img.src = u; img.dataset.cutout = u; }).catch((e) => say(e.message));
    // The original on hover: fetched once, on first hover.
    el.addEventListener('mouseenter', async () => {
      if (!job.blobs.original) return;
      if (!img.dataset.original) img.dataset.original = await image(job.blobs.original.url);
      img.src = img.dataset.original;
    });
    el.addEventListener('mouseleave', () => { if (img.dataset.cutout) img.src = img.dataset.cutout; });
  } else {
    pic.textContent = job.status;
  }
  el.append(pic, meta);
  el.addEventListener('click', () => showDetail(job.job_id).catch((e) => say(e.message)));
  return el;
}

async function showDetail(id) {
  const job = await (await api('/api/jobs/' + encodeURIComponent(id))).json();
  $('detail-title').textContent = 'Job ' + job.job_id;
  const images = $('detail-images');
  images.replaceChildren();
  for (const what of ['original', 'mask', 'cutout']) {
    if (!job.blobs[what]) continue;
    const fig = document.createElement('figure');
    const box = document.createElement('div');
    const img = document.createElement('img');
    img.alt = what;
    img.className = 'detail-' + what;
    box.append(img);
    const cap = document.createElement('figcaption');
    cap.textContent = what;
    fig.append(box, cap);
    images.append(fig);
    image(job.blobs[what].url).then((u) => { img.src = u; });
  }
  const rows = [['status', job.status], ['user', job.user_id], ['created', job.created_at],
    ['completed', job.completed_at], ['processing time', job.processing_time_ms == null ? '' : job.processing_time_ms + ' ms'],
    ['size', job.image_width ? job.image_width + ' × ' + job.image_height + ', ' + job.file_size_kb + ' KB' : ''],
    ['model', [job.model, job.model_version].filter(Boolean).join(' ')], ['tags', job.tags.join(', ')],
    ['params', job.params ? JSON.stringify(job.params) : ''], ['error', [job.error_code, job.error_message].filter(Boolean).join(': ')]];
  const table = $('detail-fields');
  table.replaceChildren();
  for (const [k, v] of rows) {
    const tr = table.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v == null ? '' : String(v);
  }
  $('detail').hidden = false;
}

// Bars: finished jobs per day; line: error rate (0..100 %) on the same width.
async function drawChart() {
  const data = await (await api('/api/me/daily')).json();
  const svg = $('chart');
  svg.replaceChildren();
  const ns = 'http://www.w3.org/2000/svg';
  const from = new Date(data.from + 'T00:00:00Z');
  const days = Math.round((new Date(data.to + 'T00:00:00Z') - from) / 864e5) + 1;
  const byDay = new Map(data.days.map((d) => [d.date, d]));
  const max = Math.max(1, ...data.days.map((d) => d.total_jobs));
  const W = 720, H = 140, w = W / days;
  const points = [];
  for (let i = 0; i < days; i++) {
    const date = new Date(from.getTime() + i * 864e5).toISOString().slice(0, 10);
    const d = byDay.get(date) || { total_jobs: 0, failed_jobs: 0 };
    const h = (d.total_jobs / max) * (H - 10);
    const bar = document.createElementNS(ns, 'rect');
    bar.setAttribute('class', 'bar');
    bar.setAttribute('x', (i * w + 1).toFixed(1));
    bar.setAttribute('y', (H - h).toFixed(1));
    bar.setAttribute('width', Math.max(1, w - 2).toFixed(1));
    bar.setAttribute('height', h.toFixed(1));
    bar.dataset.date = date;
    bar.dataset.total = d.total_jobs;
    const title = document.createElementNS(ns, 'title');
    title.textContent = date + ': ' + d.total_jobs + ' jobs, ' + d.failed_jobs + ' failed';
    bar.append(title);
    svg.append(bar);
    const rate = d.total_jobs ? d.failed_jobs / d.total_jobs : 0;
    points.push((i * w + w / 2).toFixed(1) + ',' + (H - rate * (H - 10)).toFixed(1));
  }
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('class', 'err');
  line.setAttribute('points', points.join(' '));
  svg.append(line);
  const label = document.createElementNS(ns, 'text');
  label.setAttribute('x', 4);
  label.setAttribute('y', 156);
  label.textContent = data.from + ' … ' + data.to + ' · max ' + max + ' jobs/day';
  svg.append(label);
}

async function start() {
  $('token').value = '';
  if (!state.token) {
    $('who').textContent = 'no token';
    say('Paste a token (bin/rmbg users add NAME prints one).');
    return;
  }
  try {
    const me = await (await api('/api/me')).json();
    $('who').textContent = 'signed in as ' + me.user_id + (me.admin ? ' (admin)' : '');
    say('');
    await Promise.all([loadPage(true), drawChart()]);
  } catch (e) {
    say(e.message);
  }
}

$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  state.token = $('token').value.trim();
  localStorage.setItem('rmbg.token', state.token);
  start();
});
$('forget-token').addEventListener('click', () => {
  localStorage.removeItem('rmbg.token');
  state.token = '';
  $('gallery').replaceChildren();
  start();
});
$('filters').addEventListener('submit', (ev) => {
  ev.preventDefault();
  loadPage(true).catch((e) => say(e.message));
});
$('load-more').addEventListener('click', () => loadPage(false).catch((e) => say(e.message)));
$('close-detail').addEventListener('click', () => { $('detail').hidden = true; });
start();
