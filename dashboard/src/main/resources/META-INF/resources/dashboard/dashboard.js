/*
 * The live dashboard. The first part is shared with compare.js (exported as window.Dash); the second part is this
 * page's loop, started only on the page whose <body data-page="dashboard">.
 * All text from the feed goes into the DOM through textContent or setAttribute, never as markup.
 */
'use strict';

(() => {
  const WINDOW_S = 300; // charts keep the last 5 minutes
  const POLL_MS = 1000;
  const TIMEOUT_MS = 5000;
  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777',
    '#4b5563', '#65a30d'];

  // ---- formatting ----
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const fmt1 = (v) => (isNum(v) ? v.toFixed(1) : '—');
  const fmtInt = (v) => (isNum(v) ? String(Math.round(v)) : '—');
  const fmt3 = (v) => (!isNum(v) ? '—' : Math.abs(v) >= 999.5 ? String(Math.round(v)) : v.toPrecision(3));
  const fmtPct = (v) => (isNum(v) ? (v * 100).toFixed(1) + '%' : '—');

  /** An instant as the feed may write it (ISO string, epoch seconds or epoch milliseconds) to epoch ms, or null. */
  function toMs(v) {
    if (isNum(v)) return v < 1e11 ? v * 1000 : v;
    if (typeof v === 'string' && v) {
      const ms = Date.parse(v);
      return Number.isNaN(ms) ? null : ms;
    }
    return null;
  }
  function fmtTime(v) {
    const ms = toMs(v);
    return ms === null ? '—' : new Date(ms).toLocaleTimeString();
  }
  function fmtDateTime(v) {
    const ms = toMs(v);
    return ms === null ? '—' : new Date(ms).toLocaleString();
  }

  // ---- DOM ----
  /** el('td', {'data-field': 'rate'}, 'text', childNode...): strings become text nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) node.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  /** Sets the text (and optionally the title) of root's [data-field=name], touching the DOM only on change. */
  function setField(root, name, text, title) {
    const node = root.querySelector('[data-field="' + name + '"]');
    if (!node) return;
    const s = text === null || text === undefined ? '' : String(text);
    if (node.textContent !== s) node.textContent = s;
    if (title !== undefined) {
      if (title === null || title === '') node.removeAttribute('title');
      else if (node.getAttribute('title') !== String(title)) node.setAttribute('title', String(title));
    }
  }

  /** Shows or hides an element. */
  function show(node, visible) {
    if (node && node.hidden === visible) node.hidden = !visible;
  }

  /**
   * Keeps container's children in step with items, one child per item keyed by its attribute attr: existing
   * children are updated in place (so that their DOM stays stable), new ones created, missing ones removed.
   * The container holds these children only.
   */
  function syncList(container, items, attr, keyOf, create, update) {
    const existing = new Map();
    for (const child of Array.from(container.children)) {
      if (child.hasAttribute(attr)) existing.set(child.getAttribute(attr), child);
    }
    let prev = null;
    for (const item of items) {
      const key = String(keyOf(item));
      let node = existing.get(key);
      if (node) existing.delete(key);
      else node = create(item);
      update(node, item);
      const want = prev ? prev.nextSibling : container.firstChild;
      if (node !== want) container.insertBefore(node, want);
      prev = node;
    }
    existing.forEach((node) => node.remove());
  }

  function setStatus(node, state, text) {
    if (!node) return;
    if (node.getAttribute('data-state') !== state) node.setAttribute('data-state', state);
    if (node.textContent !== text) node.textContent = text;
  }

  // ---- rates ----
  /**
   * Turns running totals into per-second rates between two polls. A counter that went down (a restarted server)
   * gives 0 for that step; a feed with the same `at` as the previous one gives the previous rates again.
   */
  class RateTracker {
    constructor() {
      this.at = null;
      this.values = {};
      this.rates = {};
    }

    /** Returns {rates, fresh: whether this is a new step, first: whether there was no previous poll}. */
    update(at, values) {
      if (this.at !== null && at === this.at) return { rates: this.rates, fresh: false, first: false };
      const first = this.at === null;
      const dt = first ? 0 : at - this.at;
      const rates = {};
      for (const [k, v] of Object.entries(values)) {
        const p = this.values[k];
        rates[k] = dt > 0 && isNum(p) && isNum(v) && v > p ? ((v - p) * 1000) / dt : 0;
      }
      this.at = at;
      this.values = values;
      this.rates = rates;
      return { rates, fresh: true, first };
    }
  }

  /** Appends a point {t: seconds, ...} to a history, dropping points not before it and those out of the window. */
  function pushPoint(history, point) {
    while (history.length && history[history.length - 1].t >= point.t) history.pop();
    history.push(point);
    while (history.length && history[0].t < point.t - WINDOW_S) history.shift();
  }

  // ---- charts ----
  const charts = [];

  /** A uPlot chart in el, rebuilt when its series change, resized with the window. */
  class Chart {
    constructor(el, height) {
      this.el = el;
      this.height = height || 200;
      this.u = null;
      this.key = null;
      charts.push(this);
    }

    width() {
      return Math.max(200, Math.floor(this.el.clientWidth || 300));
    }

    /** series: [{label, stroke, dash?, fmt?}]; data: [xs (seconds), ys...]. */
    draw(series, data, emptyText) {
      if (!this.el || typeof uPlot === 'undefined') return;
      if (!series.length) {
        this.destroy();
        this.key = '';
        if (this.el.textContent !== emptyText) this.el.textContent = emptyText || '';
        return;
      }
      const key = series.map((s) => s.label + '|' + s.stroke).join('\n');
      if (this.u && key === this.key) {
        this.u.setData(data);
        return;
      }
      this.destroy();
      this.el.textContent = '';
      this.key = key;
      const opts = {
        width: this.width(),
        height: this.height,
        scales: { x: { time: true } },
        series: [{}].concat(series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: 1.5,
          dash: s.dash,
          spanGaps: true,
          value: (u, v) => (v === null || v === undefined ? '—' : (s.fmt || fmt1)(v)),
        }))),
        axes: [{}, { size: 60 }],
      };
      this.u = new uPlot(opts, data, this.el);
    }

    destroy() {
      if (this.u) this.u.destroy();
      this.u = null;
    }

    resize() {
      if (this.u) this.u.setSize({ width: this.width(), height: this.height });
    }
  }

  let resizeFrame = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(() => charts.forEach((c) => c.resize()));
  });

  const color = (i) => PALETTE[i % PALETTE.length];

  // ---- polling ----
  /**
   * Polls url every POLL_MS: the next poll starts POLL_MS after the previous one started, or as soon as it has
   * ended when it took longer, so polls never pile up. onData(feed) on success, onError(reason) on failure.
   */
  function poll(url, onData, onError) {
    const tick = async () => {
      const started = performance.now();
      let feed = null;
      let failure = null;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
      try {
        const res = await fetch(url, { cache: 'no-store', signal: abort.signal });
        if (!res.ok) throw new Error('HTTP ' + res.status + (res.statusText ? ' ' + res.statusText : ''));
        feed = await res.json();
        if (!feed || typeof feed !== 'object') throw new Error('not a feed');
      } catch (e) {
        failure = e && e.name === 'AbortError' ? 'timed out' : (e && e.message) || String(e);
      } finally {
        clearTimeout(timer);
      }
      try {
        if (failure === null) onData(feed);
        else onError(failure);
      } catch (e) {
        console.error('dashboard: rendering failed', e);
      } finally {
        setTimeout(tick, Math.max(0, POLL_MS - (performance.now() - started)));
      }
    };
    tick();
  }

  /** The last refused model in words. */
  function refusedText(r) {
    if (!r) return 'none';
    return (r.modelName || '?') + (r.version ? ' v' + r.version : '') + ': ' + (r.reason || '');
  }

  // ---- latency quantiles ----
  const LATENCY_WINDOW_MS = 30000;

  /** A histogram's running total at a bound: that of the largest listed bound not above it (0 below them all). */
  function totalAt(buckets, bound) {
    let total = 0;
    for (const [b, n] of buckets) {
      if (b > bound) break;
      total = n;
    }
    return total;
  }

  /**
   * The q-quantile (ms) of the records timed between two histograms of running totals (from null: since the
   * start), interpolated within its bucket; null without a record between them.
   */
  function quantile(q, from, to) {
    const records = to.count - (from ? from.count : 0);
    if (!(records > 0)) return null;
    const bounds = Array.from(new Set(to.buckets.concat(from ? from.buckets : []).map((b) => b[0])))
      .sort((a, b) => a - b);
    const target = q * records;
    let lower = 0;
    let below = 0;
    for (const bound of bounds) {
      const n = totalAt(to.buckets, bound) - (from ? totalAt(from.buckets, bound) : 0);
      if (n >= target) return n > below ? lower + ((bound - lower) * (target - below)) / (n - below) : bound;
      lower = bound;
      below = n;
    }
    return bounds.length ? bounds[bounds.length - 1] : null; // past the last bound (over 10 s)
  }

  /**
   * Sets d.p50Ms and d.p99Ms of each dataType of a feed: the scoring latency over the last 30 s, worked out from
   * the histogram the feed carries (d.latency) and the one of a poll about 30 s before (since the start until the
   * page has one). Keeps what it needs of the dataTypes the feed lists, no more.
   */
  class LatencyTracker {
    constructor() {
      this.byType = new Map();
    }

    annotate(at, dataTypes) {
      const listed = new Set();
      for (const d of dataTypes) {
        listed.add(d.dataType);
        d.p50Ms = null;
        d.p99Ms = null;
        const l = d.latency;
        if (!l || !isNum(l.count) || !Array.isArray(l.buckets) || !isNum(at)) continue;
        let seen = this.byType.get(d.dataType);
        if (!seen || (seen.length && seen[seen.length - 1].count > l.count)) {
          seen = []; // new, or its server restarted: its totals start again
          this.byType.set(d.dataType, seen);
        }
        const now = { at, count: l.count, buckets: l.buckets };
        if (!seen.length || seen[seen.length - 1].at < at) seen.push(now);
        while (seen.length > 1 && seen[1].at <= at - LATENCY_WINDOW_MS) seen.shift();
        const from = seen[0].at < at ? seen[0] : null;
        d.p50Ms = quantile(0.5, from, now);
        d.p99Ms = quantile(0.99, from, now);
      }
      for (const name of Array.from(this.byType.keys())) {
        if (!listed.has(name)) this.byType.delete(name);
      }
    }
  }

  const sumLag = (lag) => (Array.isArray(lag) ? lag.reduce((a, p) => a + (isNum(p.lag) ? p.lag : 0), 0) : 0);

  window.Dash = {
    WINDOW_S, isNum, fmt1, fmtInt, fmt3, fmtPct, toMs, fmtTime, fmtDateTime, el, setField, show, syncList,
    setStatus, RateTracker, LatencyTracker, pushPoint, Chart, color, poll, refusedText, sumLag,
  };

  // ==== the dashboard page ====
  if (document.body.getAttribute('data-page') !== 'dashboard') return;

  const $ = (sel) => document.querySelector(sel);
  const page = document.body;
  const statusEl = $('#status');
  const tracker = new RateTracker();
  const latencies = new LatencyTracker();
  const history = [];
  const chartRates = new Chart($('#chart-rates'));
  const chartLatency = new Chart($('#chart-latency'));
  const chartLag = new Chart($('#chart-lag'));
  let eventsKey = null;

  const CARD_ROWS = [['Model', 'model-name'], ['Version', 'model-version'], ['Type', 'model-type'],
    ['Live since', 'model-since'], ['SHA-256', 'model-sha'], ['Previous', 'previous'], ['Scored', 'scored'],
    ['Skipped', 'skipped'], ['Failed', 'failed'], ['p50 ms', 'p50'], ['p99 ms', 'p99'], ['Swaps', 'swaps'],
    ['Failed loads', 'failed-loads'], ['Last refused', 'last-refused']];

  const kv = (rows) => el('dl', { class: 'kv' },
    ...rows.flatMap(([label, field]) => [el('dt', {}, label), el('dd', { 'data-field': field }, '—')]));

  function createCard(d) {
    return el('section', { class: 'datatype', 'data-datatype': d.dataType },
      el('header', {},
        el('h3', {}, d.dataType),
        el('span', { class: 'rate' }, el('span', { 'data-field': 'rate' }, '0.0'), ' records/s')),
      kv(CARD_ROWS));
  }

  function createCandidate() {
    return el('div', { class: 'candidate', 'data-field': 'candidate' },
      el('h4', {}, 'Candidate ', el('span', { 'data-field': 'candidate-name' })),
      el('dl', { class: 'kv' },
        el('dt', {}, 'Compared'), el('dd', { 'data-field': 'candidate-compared' }),
        el('dt', {}, 'Label agreement'), el('dd', { 'data-field': 'candidate-agreement' }),
        el('dt', {}, 'Mean abs diff'), el('dd', { 'data-field': 'candidate-mean-diff' }),
        el('dt', {}, 'Max abs diff'), el('dd', { 'data-field': 'candidate-max-diff' }),
        el('dt', {}, 'p50 ms'), el('dd', {}, el('span', { 'data-field': 'candidate-p50' }), ' vs live ',
          el('span', { 'data-field': 'live-p50' })),
        el('dt', {}, 'p99 ms'), el('dd', {}, el('span', { 'data-field': 'candidate-p99' }), ' vs live ',
          el('span', { 'data-field': 'live-p99' })),
        el('dt', {}, 'Errors'), el('dd', { 'data-field': 'candidate-errors' }),
        el('dt', {}, 'Not compared'), el('dd', { 'data-field': 'candidate-not-compared' })));
  }

  function updateCard(card, d, rate) {
    const m = d.model;
    card.classList.toggle('no-model', !m);
    setField(card, 'rate', fmt1(rate));
    setField(card, 'model-name', (m && m.name) || 'no model');
    setField(card, 'model-version', (m && m.version) || '—');
    setField(card, 'model-type', (m && m.type) || '—');
    setField(card, 'model-since', m ? fmtDateTime(m.since) : '—');
    setField(card, 'model-sha', m && m.sha256 ? m.sha256.slice(0, 12) : '—', (m && m.sha256) || null);
    setField(card, 'previous', d.previous || 'none');
    setField(card, 'scored', fmtInt(d.scored));
    setField(card, 'skipped', fmtInt(d.skipped));
    setField(card, 'failed', fmtInt(d.failed));
    setField(card, 'swaps', fmtInt(d.swaps));
    setField(card, 'failed-loads', fmtInt(d.failedLoads));
    setField(card, 'p50', fmt3(d.p50Ms));
    setField(card, 'p99', fmt3(d.p99Ms));
    setField(card, 'last-refused', refusedText(d.lastRefused), d.lastRefused ? d.lastRefused.reason || '' : null);
    card.querySelector('[data-field="last-refused"]').classList.toggle('refused', !!d.lastRefused);

    const c = d.candidate;
    let block = card.querySelector('[data-field="candidate"]');
    if (!c) {
      if (block) block.remove();
      return;
    }
    if (!block) block = card.appendChild(createCandidate());
    setField(block, 'candidate-name', c.candidate || '?');
    setField(block, 'candidate-compared', fmtInt(c.compared));
    setField(block, 'candidate-agreement', fmtPct(c.labelAgreement),
      isNum(c.labelled) && c.labelled > 0 ? c.agreed + ' of ' + c.labelled + ' labels agree' : null);
    setField(block, 'candidate-mean-diff', fmt3(c.meanAbsoluteDifference));
    setField(block, 'candidate-max-diff', fmt3(c.maxAbsoluteDifference));
    setField(block, 'candidate-p50', fmt3(c.candidateP50Ms));
    setField(block, 'live-p50', fmt3(c.liveP50Ms));
    setField(block, 'candidate-p99', fmt3(c.candidateP99Ms));
    setField(block, 'live-p99', fmt3(c.liveP99Ms));
    setField(block, 'candidate-errors', fmtInt(c.candidateErrors));
    setField(block, 'candidate-not-compared', fmtInt(c.notCompared));
    let rule = block.querySelector('[data-field="promotion-rule"]');
    if (!d.promotionRule) {
      if (rule) rule.remove();
    } else {
      if (!rule) rule = block.appendChild(el('p', { class: 'rule', 'data-field': 'promotion-rule' }));
      setField(block, 'promotion-rule', 'Promotion: ' + d.promotionRule);
    }
  }

  function eventItem(e) {
    const ms = toMs(e.at);
    return el('li', { class: 'event', 'data-kind': e.kind || '', 'data-datatype': e.dataType || '' },
      el('time', { datetime: ms === null ? null : new Date(ms).toISOString() }, fmtTime(e.at)),
      el('span', { class: 'dt' }, e.dataType || ''),
      el('span', { class: 'kind' }, e.kind || ''),
      el('span', { class: 'model' }, e.model || ''),
      el('span', { class: 'detail', title: e.detail || null }, e.detail || ''));
  }

  function render(feed) {
    const totals = feed.totals || {};
    const dataTypes = Array.isArray(feed.dataTypes) ? feed.dataTypes : [];
    const lag = Array.isArray(feed.lag) ? feed.lag : [];
    const values = { in: totals.in, scored: totals.scored, skipped: totals.skipped, dead: totals.deadLettered };
    for (const d of dataTypes) values['dt:' + d.dataType] = d.scored;
    const { rates, fresh, first } = tracker.update(feed.at, values);
    const rate = (k) => rates[k] || 0;
    latencies.annotate(feed.at, dataTypes);

    setStatus(statusEl, 'live', 'live · updated ' + fmtTime(feed.at));
    setField(page, 'server', feed.server || '—');
    setField(page, 'data-topic', feed.dataTopic || '—');

    setField(page, 'rate-in', fmt1(rate('in')));
    setField(page, 'rate-out', fmt1(rate('scored')));
    setField(page, 'total-in', fmtInt(totals.in));
    setField(page, 'total-scored', fmtInt(totals.scored));
    setField(page, 'total-skipped', fmtInt(totals.skipped));
    setField(page, 'rate-skipped', fmt1(rate('skipped')));
    setField(page, 'total-dead-lettered', fmtInt(totals.deadLettered));
    setField(page, 'rate-dead-lettered', fmt1(rate('dead')));
    setField(page, 'total-failed', fmtInt(totals.failed));
    setField(page, 'total-undeliverable', fmtInt(totals.undeliverable));
    const lagTotal = sumLag(lag);
    setField(page, 'lag-total', fmtInt(lagTotal));
    syncList($('#lag-rows'), lag, 'data-partition', (p) => p.partition,
      (p) => el('tr', { 'data-partition': p.partition }, el('td', {}, String(p.partition)),
        el('td', { 'data-field': 'lag' })),
      (row, p) => setField(row, 'lag', fmtInt(p.lag)));
    show($('[data-field="lag-empty"]'), lag.length === 0);
    show($('.lag'), lag.length > 0);

    syncList($('#datatypes'), dataTypes, 'data-datatype', (d) => d.dataType, createCard,
      (card, d) => updateCard(card, d, rate('dt:' + d.dataType)));
    show($('[data-field="no-datatypes"]'), dataTypes.length === 0);
    const more = feed.moreDataTypes || 0;
    setField(page, 'more-datatypes', more > 0 ? 'and ' + more + ' more dataTypes' : '');
    show($('[data-field="more-datatypes"]'), more > 0);
    const wm = feed.withoutModel;
    setField(page, 'without-model',
      wm ? fmtInt(wm.records) + ' records of ' + fmtInt(wm.dataTypes) + ' dataTypes without a model' : '');
    show($('[data-field="without-model"]'), !!wm && (wm.records > 0 || wm.dataTypes > 0));

    const events = Array.isArray(feed.events) ? feed.events : [];
    const key = JSON.stringify(events);
    if (key !== eventsKey) {
      eventsKey = key;
      const list = $('#events');
      list.replaceChildren(...events.map(eventItem));
      if (!events.length) list.append(el('li', { class: 'empty' }, 'no events yet'));
    }

    if (fresh && isNum(feed.at)) drawCharts(feed, dataTypes, first ? null : rates, lagTotal);
  }

  function drawCharts(feed, dataTypes, rates, lagTotal) {
    // dataType names are untrusted: a map without a prototype ('__proto__' or 'constructor' are plain keys)
    const latency = Object.create(null);
    for (const d of dataTypes) {
      if (d.model) latency[d.dataType] = [isNum(d.p50Ms) ? d.p50Ms : null, isNum(d.p99Ms) ? d.p99Ms : null];
    }
    pushPoint(history, {
      t: feed.at / 1000,
      in: rates ? rates.in || 0 : null,
      out: rates ? rates.scored || 0 : null,
      lag: lagTotal,
      latency,
    });
    const xs = history.map((p) => p.t);
    chartRates.draw([{ label: 'in', stroke: color(0) }, { label: 'out', stroke: color(2) }],
      [xs, history.map((p) => p.in), history.map((p) => p.out)]);

    const names = Object.keys(latency);
    const series = [];
    const data = [xs];
    names.forEach((name, i) => {
      series.push({ label: name + ' p50', stroke: color(i), fmt: fmt3 });
      series.push({ label: name + ' p99', stroke: color(i), dash: [5, 3], fmt: fmt3 });
      for (const q of [0, 1]) {
        data.push(history.map((p) => (p.latency[name] ? p.latency[name][q] : null)));
      }
    });
    chartLatency.draw(series, data, 'no dataType has a model yet');

    chartLag.draw([{ label: 'lag', stroke: color(3), fmt: fmtInt }], [xs, history.map((p) => p.lag)]);
  }

  poll('/dashboard/feed', render,
    (reason) => setStatus(statusEl, 'disconnected', 'disconnected: ' + reason));
})();
