/*
 * The three engines side by side: each column polls one server's feed; one chart shows the three records/s out.
 * Needs dashboard.js (window.Dash) loaded first. Feed URLs: ?reactive=URL&kstreams=URL&akka=URL (base URLs such as
 * http://host:8080, to which /dashboard/feed is appended), else the page's host on each engine's default port.
 */
'use strict';

(() => {
  if (document.body.getAttribute('data-page') !== 'compare' || !window.Dash) return;
  const D = window.Dash;
  const { el, setField, setStatus, fmt1, fmt3, fmtInt } = D;
  const FEED = '/dashboard/feed';

  const ENGINES = [
    { id: 'reactive', title: 'Reactive', port: 8080 },
    { id: 'kstreams', title: 'Kafka Streams', port: 8888 },
    { id: 'akka', title: 'Akka', port: 5500 },
  ];

  const params = new URLSearchParams(location.search);
  const host = location.hostname || 'localhost';

  function feedUrl(engine) {
    const given = (params.get(engine.id) || '').trim();
    if (!given) return 'http://' + host + ':' + engine.port + FEED;
    const base = given.replace(/\/+$/, '');
    return base.endsWith(FEED) ? base : base + FEED;
  }

  const chart = new D.Chart(document.getElementById('chart-compare'), 220);
  const container = document.getElementById('engines');

  function column(engine) {
    const figure = (label, field, unit) => el('div', { class: 'figure' },
      el('span', { class: 'label' }, label), el('span', { class: 'value', 'data-field': field }, '—'),
      unit ? el('small', {}, ' ' + unit) : null);
    return el('section', { class: 'engine', 'data-engine': engine.id },
      el('header', {},
        el('h2', {}, engine.title),
        el('span', { class: 'server', 'data-field': 'server' }, '—'),
        el('span', { class: 'status', 'data-field': 'status', 'data-state': 'connecting' }, 'connecting…')),
      el('p', { class: 'url', 'data-field': 'url' }, engine.url),
      el('div', { class: 'figures' },
        figure('in', 'rate-in', 'records/s'),
        figure('out', 'rate-out', 'records/s'),
        figure('lag', 'lag-total', 'records'),
        figure('scored', 'total-scored', null)),
      el('div', { class: 'table-wrap' },
        el('table', { class: 'dts' },
          el('thead', {}, el('tr', {}, ...['dataType', 'model', 'records/s', 'p50 / p99 ms']
            .map((h) => el('th', {}, h)))),
          el('tbody', {}))),
      el('p', { class: 'note', 'data-field': 'no-datatypes' }, 'no dataTypes yet'));
  }

  function row(d) {
    return el('tr', { class: 'datatype', 'data-datatype': d.dataType },
      el('td', {}, d.dataType),
      el('td', { class: 'model' }, el('span', { 'data-field': 'model-name' }), ' ',
        el('span', { class: 'version', 'data-field': 'model-version' }),
        el('div', { class: 'refusal' }, 'last refused: ', el('span', { 'data-field': 'last-refused' }))),
      el('td', { class: 'num', 'data-field': 'rate' }),
      el('td', { class: 'num lat' }, el('span', { 'data-field': 'p50' }), ' / ', el('span', { 'data-field': 'p99' })));
  }

  function updateRow(tr, d, rate) {
    const m = d.model;
    tr.classList.toggle('no-model', !m);
    setField(tr, 'model-name', (m && m.name) || 'no model');
    setField(tr, 'model-version', (m && m.version) || '—');
    setField(tr, 'rate', fmt1(rate));
    setField(tr, 'p50', fmt3(d.p50Ms));
    setField(tr, 'p99', fmt3(d.p99Ms));
    setField(tr, 'last-refused', D.refusedText(d.lastRefused), d.lastRefused ? d.lastRefused.reason || '' : null);
    tr.querySelector('[data-field="last-refused"]').classList.toggle('refused', !!d.lastRefused);
  }

  function render(engine, feed) {
    const node = engine.node;
    const totals = feed.totals || {};
    const dataTypes = Array.isArray(feed.dataTypes) ? feed.dataTypes : [];
    const values = { in: totals.in, scored: totals.scored };
    for (const d of dataTypes) values['dt:' + d.dataType] = d.scored;
    const { rates, fresh, first } = engine.tracker.update(feed.at, values);
    engine.latencies.annotate(feed.at, dataTypes);

    node.classList.remove('stale');
    setStatus(node.querySelector('[data-field="status"]'), 'live', 'live · ' + D.fmtTime(feed.at));
    setField(node, 'server', feed.server || '—');
    setField(node, 'rate-in', fmt1(rates.in || 0));
    setField(node, 'rate-out', fmt1(rates.scored || 0));
    setField(node, 'lag-total', fmtInt(D.sumLag(feed.lag)));
    setField(node, 'total-scored', fmtInt(totals.scored));
    D.syncList(node.querySelector('tbody'), dataTypes, 'data-datatype', (d) => d.dataType, row,
      (tr, d) => updateRow(tr, d, rates['dt:' + d.dataType] || 0));
    D.show(node.querySelector('[data-field="no-datatypes"]'), dataTypes.length === 0);

    // x is this page's clock: the servers' clocks need not agree
    if (fresh && !first) D.pushPoint(engine.history, { t: Date.now() / 1000, out: rates.scored || 0 });
    draw();
  }

  function fail(engine, reason) {
    engine.node.classList.add('stale');
    setStatus(engine.node.querySelector('[data-field="status"]'), 'unreachable', 'unreachable: ' + reason);
    draw();
  }

  /** One chart, three series: the union of the engines' times, each engine null (spanned) where it has no point. */
  function draw() {
    const now = Date.now() / 1000;
    for (const e of ENGINES) {
      while (e.history.length && e.history[0].t < now - D.WINDOW_S) e.history.shift();
    }
    const xs = Array.from(new Set(ENGINES.flatMap((e) => e.history.map((p) => p.t)))).sort((a, b) => a - b);
    const data = [xs];
    for (const e of ENGINES) {
      const byT = new Map(e.history.map((p) => [p.t, p.out]));
      data.push(xs.map((t) => (byT.has(t) ? byT.get(t) : null)));
    }
    chart.draw(ENGINES.map((e, i) => ({ label: e.title, stroke: D.color(i) })), data);
  }

  for (const engine of ENGINES) {
    engine.url = feedUrl(engine);
    engine.tracker = new D.RateTracker();
    engine.latencies = new D.LatencyTracker();
    engine.history = [];
    engine.node = container.appendChild(column(engine));
  }
  draw();
  for (const engine of ENGINES) {
    D.poll(engine.url, (feed) => render(engine, feed), (reason) => fail(engine, reason));
  }
})();
