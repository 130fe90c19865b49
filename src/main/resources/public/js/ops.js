// Courier's operations console: live charts from /metrics, who holds the pool, alerts, incidents, fault drills.
import { describeError, request } from './api.js';
import { renderMarkdown } from './markdown.js';
import {
  counterRate, firstPresent, gaugeSum, histogramQuantiles, parsePrometheusText, sumByLabel,
} from './prometheus.js';

const TOKEN_KEY = 'courier.adminToken';
const SCRAPE_EVERY_MS = 2_000;
const ADMIN_EVERY_MS = 5_000;
const HISTORY_SECONDS = 600;
const HOLD_WINDOW_SECONDS = 60;
const TOP_HOLDERS = 10;

const REQUESTS = 'courier_http_server_requests_seconds_count';
const REQUEST_BUCKETS = 'courier_http_server_requests_seconds_bucket';
const MESSAGES = ['courier_messages_stored_total'];
const SOCKETS = ['courier_stream_connections'];
const POOL = {
  active: 'hikaricp_connections_active',
  idle: 'hikaricp_connections_idle',
  pending: 'hikaricp_connections_pending',
  max: 'hikaricp_connections_max',
};
const HOLD = 'courier_db_connection_hold_seconds';

const $ = (id) => document.getElementById(id);

// The console's own polling would otherwise dominate the request rate of a quiet server.
// Route "*" is what the server records for static files and unknown paths.
const isApiTraffic = (labels) => labels.route !== '/metrics' && !(labels.route || '').startsWith('/v1/admin')
    && labels.route !== '*' && labels.route !== 'unmatched';
// Without a message counter, new messages are the REST sends that stored one (201; a 200 is a repeat).
const isStoringSend = (labels) => labels.method === 'POST' && labels.route === '/v1/conversations/{id}/messages'
    && labels.status === '201';

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  previous: null, // { at, scrape }
  history: { t: [], requests: [], p50: [], p95: [], p99: [], messages: [], sockets: [], active: [], idle: [],
    pending: [], max: [] },
  holdSnapshots: [], // [{ at, sums: Map, counts: Map }]
  charts: {},
  openIncident: null,
  postmortemShown: null,
};

// ---------- admin token ----------

function admin(method, path, body, accept) {
  return request(method, path, { token: state.token, body, accept });
}

function wireToken() {
  $('admin-token').value = state.token || '';
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('admin-token').value.trim();
    state.token = token || null;
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
    $('token-notice').textContent = '';
    refreshAdmin();
    refreshPool();
  });
  $('forget-token').addEventListener('click', () => {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $('admin-token').value = '';
    refreshAdmin();
    refreshPool();
  });
}

/** Renders what an admin endpoint's failure means for its panel, and whether the token itself was refused. */
function adminProblem(error, what) {
  if (!state.token) return `Enter the admin token to see ${what}.`;
  if (error.code === 'unauthorized') {
    $('token-notice').textContent = 'The admin token was refused. Check it and enter it again.';
    return `The admin token was refused, so ${what} cannot be shown.`;
  }
  // a server without an admin token says so in its 404: that sentence tells the operator what to do
  if (error.code === 'not_found') return `This server does not offer ${what}${error.message ? `: ${error.message}` : ''}.`;
  return describeError(error);
}

// ---------- metrics and charts ----------

async function scrape() {
  let text;
  try {
    text = await request('GET', '/metrics', { accept: 'text/plain' });
  } catch (error) {
    setScrapeStatus('down', `Metrics unavailable: ${describeError(error)}`);
    return;
  }
  const now = Date.now() / 1000;
  const current = parsePrometheusText(text);
  setScrapeStatus('live', `Live · updated ${new Date().toLocaleTimeString()}`);
  if (state.previous) {
    const seconds = now - state.previous.at;
    const before = state.previous.scrape;
    // A server that records every request under one route label cannot tell the console's requests apart.
    const routesKnown = (current.get(REQUESTS) || []).some((sample) => !['*', 'unmatched', undefined]
        .includes(sample.labels.route));
    const traffic = routesKnown ? isApiTraffic : () => true;
    $('requests-caption').textContent = routesKnown
      ? 'Requests per second (API; the console\'s own requests excluded)'
      : 'Requests per second (all requests, this console\'s included: this server does not label routes)';
    const [p50, p95, p99] = histogramQuantiles(before, current, REQUEST_BUCKETS, [0.5, 0.95, 0.99], traffic);
    const messagesName = firstPresent(current, MESSAGES);
    let messages = null;
    if (messagesName) {
      messages = counterRate(before, current, messagesName, seconds);
      $('messages-source').textContent = `From ${messagesName}.`;
    } else if (routesKnown) {
      messages = counterRate(before, current, REQUESTS, seconds, isStoringSend);
      $('messages-source').textContent = 'Counted from REST sends that stored a message; this server exports no'
          + ' message counter.';
    } else {
      $('messages-source').textContent = 'This server exports no message counter.';
    }
    record(now, {
      requests: counterRate(before, current, REQUESTS, seconds, traffic),
      p50: p50 === null ? null : p50 * 1000,
      p95: p95 === null ? null : p95 * 1000,
      p99: p99 === null ? null : p99 * 1000,
      messages,
    }, current);
  } else {
    record(now, { requests: null, p50: null, p95: null, p99: null, messages: null }, current);
  }
  state.previous = { at: now, scrape: current };
  recordHolds(now, current);
  renderCharts();
}

function record(at, rates, current) {
  const socketsName = firstPresent(current, SOCKETS);
  const point = {
    ...rates,
    sockets: socketsName ? gaugeSum(current, socketsName) : null,
    active: gaugeSum(current, POOL.active),
    idle: gaugeSum(current, POOL.idle),
    pending: gaugeSum(current, POOL.pending),
    max: gaugeSum(current, POOL.max),
  };
  const h = state.history;
  h.t.push(at);
  for (const key of Object.keys(point)) h[key].push(point[key]);
  while (h.t.length && h.t[0] < at - HISTORY_SECONDS) {
    for (const key of Object.keys(h)) h[key].shift();
  }
  showFigure('now-requests', point.requests, 1);
  showFigure('now-p50', point.p50, 1, ' ms');
  showFigure('now-p95', point.p95, 1, ' ms');
  showFigure('now-p99', point.p99, 1, ' ms');
  showFigure('now-messages', point.messages, 1);
  showFigure('now-sockets', point.sockets, 0, '', 'not exported by this server');
  showFigure('now-pool-active', point.active, 0);
  showFigure('now-pool-idle', point.idle, 0);
  showFigure('now-pool-pending', point.pending, 0);
  showFigure('now-pool-max', point.max, 0);
}

function showFigure(id, value, digits, unit = '', missing = '–') {
  $(id).textContent = value === null || value === undefined || Number.isNaN(value)
    ? missing : `${value.toFixed(digits)}${unit}`;
}

function setScrapeStatus(kind, text) {
  const element = $('scrape-status');
  element.dataset.state = kind === 'live' ? 'live' : 'reconnecting';
  element.textContent = text;
}

const CHARTS = {
  requests: { element: 'chart-requests', series: [['requests', 'req/s', '#0b57b3']] },
  latency: { element: 'chart-latency', series: [['p50', 'p50 ms', '#1d6b32'], ['p95', 'p95 ms', '#b35c00'],
    ['p99', 'p99 ms', '#a4161a']] },
  messages: { element: 'chart-messages', series: [['messages', 'msg/s', '#6f42c1']] },
  sockets: { element: 'chart-sockets', counts: true, series: [['sockets', 'sockets', '#0b7285']] },
  pool: { element: 'chart-pool', counts: true, series: [['active', 'active', '#a4161a'], ['idle', 'idle', '#1d6b32'],
    ['pending', 'pending', '#b35c00'], ['max', 'max', '#4a5360']] },
};

// Time ticks in whole seconds and up: the labels show seconds, so a finer step would print one label twice.
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
// Counted things (sockets, connections) have whole ticks: there is no half a socket.
const COUNT_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];

function renderCharts() {
  if (!window.uPlot) return; // the figures beside each chart still tell the numbers
  for (const [name, spec] of Object.entries(CHARTS)) {
    const data = [state.history.t, ...spec.series.map(([key]) => state.history[key])];
    let chart = state.charts[name];
    if (!chart) {
      const container = $(spec.element);
      chart = new window.uPlot({
        width: Math.max(280, container.clientWidth),
        height: 180,
        series: [{}, ...spec.series.map(([, label, colour]) => ({ label, stroke: colour, width: 2, spanGaps: false }))],
        // room on the right for the last time label, which is centred on the plot's edge
        padding: [8, 36, 0, 0],
        scales: {
          x: { time: true },
          y: { range: (u, min, max) => [0, spec.counts ? Math.max(1, Math.ceil(max * 1.1)) : Math.max(1, max * 1.1)] },
        },
        axes: [
          { stroke: 'currentColor', space: 90, incrs: TIME_STEPS, values: (u, ticks) => ticks.map(clockTime) },
          spec.counts ? { stroke: 'currentColor', size: 64, incrs: COUNT_STEPS } : { stroke: 'currentColor', size: 64 },
        ],
        legend: { live: false },
      }, data, container);
      state.charts[name] = chart;
      new ResizeObserver(() => chart.setSize({ width: Math.max(280, container.clientWidth), height: 180 }))
          .observe(container);
    } else {
      chart.setData(data);
    }
  }
}

function clockTime(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// ---------- who holds connections ----------

function recordHolds(at, current) {
  const sums = sumByLabel(current, `${HOLD}_sum`, 'call_site');
  const counts = sumByLabel(current, `${HOLD}_count`, 'call_site');
  const maxes = sumByLabel(current, `${HOLD}_max`, 'call_site');
  state.holdSnapshots.push({ at, sums, counts });
  while (state.holdSnapshots.length > 1 && state.holdSnapshots[0].at < at - HOLD_WINDOW_SECONDS) {
    state.holdSnapshots.shift();
  }
  if (!current.has(`${HOLD}_sum`)) {
    $('holders').replaceChildren(emptyNote('This server does not export connection hold times yet.'));
    return;
  }
  const oldest = state.holdSnapshots[0];
  const rows = [...sums.entries()].map(([site, sum]) => {
    const held = oldest === state.holdSnapshots.at(-1) ? sum : sum - (oldest.sums.get(site) || 0);
    const leases = oldest === state.holdSnapshots.at(-1) ? counts.get(site) || 0
      : (counts.get(site) || 0) - (oldest.counts.get(site) || 0);
    return { site, held: Math.max(0, held), leases: Math.max(0, leases), max: maxes.get(site), total: sum };
  }).filter((row) => row.held > 0 || row.max > 0).sort((a, b) => b.held - a.held).slice(0, TOP_HOLDERS);
  if (!rows.length) {
    $('holders').replaceChildren(emptyNote('No connection was held in the last minute.'));
    return;
  }
  $('holders').replaceChildren(table(
      ['Call site', 'Held (s)', 'Leases', 'Mean (ms)', 'Max (ms)'],
      rows.map((row) => [
        code(row.site),
        number(row.held.toFixed(2)),
        number(String(row.leases)),
        number(row.leases ? ((row.held / row.leases) * 1000).toFixed(1) : '–'),
        number(row.max === undefined ? '–' : (row.max * 1000).toFixed(0)),
      ]),
      'Call sites by connection hold time over the last minute'));
}

/** The leak sweep's verdicts on a lease, as /v1/admin/pool names them. */
const VERDICTS = {
  none: '–',
  leak: 'leak',
  waiting_for_cpu: 'slow: waiting for CPU (saturation)',
  waiting_for_database: 'slow: waiting for PostgreSQL (saturation)',
};

async function refreshPool() {
  try {
    const pool = await admin('GET', '/v1/admin/pool');
    $('leases-summary').textContent = `Active ${pool.active}, idle ${pool.idle}, pending ${pool.pending}, `
        + `max ${pool.max}. Suspected leaks: ${pool.suspectedLeaks}. Reclaimed leaks: ${pool.reclaimedLeaks}.`;
    const leases = [...pool.leases].sort((a, b) => b.heldMs - a.heldMs);
    $('leases').replaceChildren(leases.length
      ? table(['Call site', 'Held (ms)', 'Thread', 'In a statement', 'Verdict'],
          leases.map((l) => [code(l.callSite), number(String(l.heldMs)), text(l.thread),
            text(l.inStatement ? 'yes' : 'no'), text(VERDICTS[l.verdict] || l.verdict)]),
          'Connections held right now, longest first')
      : emptyNote('No connection is held right now.'));
  } catch (error) {
    $('leases-summary').textContent = '';
    $('leases').replaceChildren(emptyNote(adminProblem(error, 'the current leases')));
  }
}

// ---------- alerts ----------

async function refreshAlerts() {
  try {
    const { alerts } = await admin('GET', '/v1/admin/alerts');
    if (!alerts.length) {
      $('alerts').replaceChildren(emptyNote('No alert is firing, and none resolved recently.'));
      return;
    }
    $('alerts').replaceChildren(table(
        ['State', 'Severity', 'Alert', 'Summary', 'Labels', 'Since', 'Until', 'Runbook'],
        alerts.map((alert) => [
          badge(alert.state),
          text(alert.severity),
          text(alert.name),
          text(alert.summary),
          text(Object.entries(alert.labels || {}).map(([k, v]) => `${k}=${v}`).join(', ')),
          timeCell(alert.startsAt),
          timeCell(alert.endsAt),
          runbookLink(alert.runbook, alert.name),
        ]),
        'Firing alerts first, then recently resolved ones'));
  } catch (error) {
    $('alerts').replaceChildren(emptyNote(adminProblem(error, 'alerts')));
  }
}

// ---------- nodes ----------

async function refreshNodes() {
  try {
    const { nodes } = await admin('GET', '/v1/admin/nodes');
    if (!nodes.length) {
      $('nodes').replaceChildren(emptyNote('No node has registered yet.'));
      return;
    }
    $('nodes').replaceChildren(table(
        ['State', 'Address', 'Version', 'Schema', 'Pool', 'Bus', 'Fault injection', 'Webhooks', 'Clock skew (ms)',
          'Started', 'Last heartbeat'],
        nodes.map((node) => [
          badge(node.state),
          code(node.address),
          text(node.version),
          text(`V${node.schemaVersion}`),
          number(node.settings.poolSize),
          text(node.settings.bus),
          text(node.settings.faultInjection ? 'on' : 'off'),
          number(node.settings.alertWebhooks.length),
          number(node.clockSkewMillis),
          timeCell(node.startedAt),
          timeCell(node.heartbeatAt),
        ]),
        'Every node as it registered itself, alive ones first'));
  } catch (error) {
    $('nodes').replaceChildren(emptyNote(adminProblem(error, 'the nodes')));
  }
}

function runbookLink(url, name) {
  const cell = document.createElement('td');
  if (!url) return cell;
  let target;
  try {
    target = new URL(url, location.origin);
  } catch (e) {
    cell.textContent = url;
    return cell;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    cell.textContent = url;
    return cell;
  }
  const link = document.createElement('a');
  link.href = target.href;
  link.rel = 'noopener noreferrer';
  link.target = '_blank';
  link.textContent = 'Runbook';
  link.setAttribute('aria-label', `Runbook for ${name} (opens in a new tab)`);
  cell.append(link);
  return cell;
}

// ---------- incidents ----------

async function refreshIncidents() {
  try {
    const { incidents } = await admin('GET', '/v1/admin/incidents');
    if (!incidents.length) {
      $('incidents').replaceChildren(emptyNote('No incidents recorded.'));
    } else {
      $('incidents').replaceChildren(table(
          ['State', 'Incident', 'Opened', 'Resolved', 'Impact'],
          incidents.map((incident) => [
            badge(incident.state),
            incidentButton(incident),
            timeCell(incident.openedAt),
            timeCell(incident.resolvedAt),
            text(describeImpact(incident.impact)),
          ]),
          'Incidents, newest first'));
    }
    if (state.openIncident !== null) await showIncident(state.openIncident, false);
  } catch (error) {
    $('incidents').replaceChildren(emptyNote(adminProblem(error, 'incidents')));
  }
}

function describeImpact(impact) {
  return Object.entries(impact || {}).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`)
      .join('; ');
}

function incidentButton(incident) {
  const cell = document.createElement('td');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'quiet incident-link';
  button.dataset.id = String(incident.id);
  button.textContent = incident.title;
  button.setAttribute('aria-expanded', String(state.openIncident === incident.id));
  button.addEventListener('click', () => {
    state.postmortemShown = null;
    showIncident(incident.id, true);
  });
  cell.append(button);
  return cell;
}

async function showIncident(id, moveFocus) {
  state.openIncident = id;
  let incident;
  try {
    incident = await admin('GET', `/v1/admin/incidents/${id}`);
  } catch (error) {
    $('incident-detail').replaceChildren(emptyNote(describeError(error)));
    return;
  }
  const heading = document.createElement('h3');
  heading.id = 'incident-detail-title';
  heading.tabIndex = -1;
  heading.textContent = `Incident ${incident.id}: ${incident.title}`;
  const summary = document.createElement('p');
  summary.id = 'incident-summary';
  summary.append(badge(incident.state, 'span'), ` Opened ${formatTime(incident.openedAt)}`,
      incident.resolvedAt ? `, resolved ${formatTime(incident.resolvedAt)}` : ', still open',
      incident.impact ? `. Impact: ${describeImpact(incident.impact)}` : '');
  const people = document.createElement('p');
  people.id = 'incident-people';
  people.textContent = describePeople(incident);
  const timeline = document.createElement('ol');
  timeline.className = 'timeline';
  timeline.id = 'incident-timeline';
  timeline.setAttribute('aria-label', 'Timeline');
  for (const entry of incident.timeline || []) {
    const item = document.createElement('li');
    item.dataset.kind = entry.kind;
    const time = document.createElement('time');
    time.dateTime = entry.at;
    time.textContent = formatTime(entry.at);
    const kind = document.createElement('strong');
    kind.textContent = entry.kind;
    item.append(time, kind);
    if (entry.data && typeof entry.data.by === 'string') {
      const by = document.createElement('span');
      by.className = 'by';
      by.textContent = entry.data.by;
      item.append(' ', by);
    }
    item.append(` ${entry.summary}`);
    timeline.append(item);
  }
  const detail = $('incident-detail');
  if (detail.dataset.id === String(id) && $('incident-work')) {
    // The same incident again: only what Courier or others changed is replaced; the forms, what is typed into
    // them and the focus stay where they are.
    $('incident-detail-title').replaceWith(heading);
    $('incident-summary').replaceWith(summary);
    $('incident-people').replaceWith(people);
    $('incident-timeline').replaceWith(timeline);
    updateIncidentWork($('incident-work'), incident);
    if (state.postmortemShown === id) await refreshPostmortem(id);
  } else {
    const timelineHeading = document.createElement('h4');
    timelineHeading.textContent = 'Timeline';
    detail.dataset.id = String(id);
    detail.replaceChildren(heading, summary, people, incidentWork(incident), timelineHeading, timeline,
        postmortemPanel(id));
  }
  if (moveFocus) heading.focus();
}

function describePeople(incident) {
  const parts = [];
  parts.push(incident.acknowledgedBy
    ? `Acknowledged by ${incident.acknowledgedBy} at ${formatTime(incident.acknowledgedAt)}.`
    : 'Nobody has acknowledged this incident yet.');
  if (incident.resolvedBy) parts.push(`Closed by ${incident.resolvedBy}: ${incident.resolutionSummary}`);
  return parts.join(' ');
}

const RESPONDER_KEY = 'courier.responderName';

/** The forms a person works the incident with: acknowledge, notes, resolve, and the postmortem's own fields. */
function incidentWork(incident) {
  const id = incident.id;
  const work = document.createElement('div');
  work.id = 'incident-work';
  work.className = 'incident-work';
  work.dataset.id = String(id);
  work.innerHTML = `
    <div class="responder">
      <label for="responder-name">Your name</label>
      <input id="responder-name" autocomplete="name" maxlength="100" required>
      <button id="acknowledge" type="button">Acknowledge</button>
    </div>
    <form id="note-form" novalidate>
      <h4>Add to the timeline</h4>
      <label for="note-kind">Kind</label>
      <select id="note-kind">
        <option value="note">Note: something found</option>
        <option value="action">Action: something done to the system</option>
        <option value="status">Status update: also posted to the alert webhooks</option>
      </select>
      <label for="note-text">Text</label>
      <textarea id="note-text" rows="2" maxlength="4000" required></textarea>
      <button type="submit">Add to timeline</button>
    </form>
    <form id="resolve-form" novalidate>
      <h4>Resolve</h4>
      <label for="resolve-summary">What fixed it</label>
      <textarea id="resolve-summary" rows="2" maxlength="4000" required></textarea>
      <button type="submit">Resolve incident</button>
    </form>
    <form id="findings-form" class="findings" novalidate>
      <h4>Postmortem</h4>
      <label for="root-cause">Root cause</label>
      <textarea id="root-cause" rows="3" maxlength="20000"></textarea>
      <label for="lessons">Lessons</label>
      <textarea id="lessons" rows="3" maxlength="20000"></textarea>
      <label for="corrective-actions">Corrective actions, one per line</label>
      <textarea id="corrective-actions" rows="3"></textarea>
      <button type="submit">Save postmortem fields</button>
    </form>
    <p id="incident-work-status" class="hint" role="status" aria-live="polite"></p>
    <p id="incident-work-error" class="error" role="alert"></p>`;
  const name = work.querySelector('#responder-name');
  name.value = sessionStorage.getItem(RESPONDER_KEY) || '';
  name.addEventListener('change', () => sessionStorage.setItem(RESPONDER_KEY, name.value.trim()));
  work.querySelector('#root-cause').value = incident.rootCause || '';
  work.querySelector('#lessons').value = incident.lessons || '';
  work.querySelector('#corrective-actions').value = (incident.correctiveActions || []).join('\n');

  const act = async (what, path, method, body, done) => {
    const status = work.querySelector('#incident-work-status');
    const error = work.querySelector('#incident-work-error');
    status.textContent = '';
    error.textContent = '';
    try {
      await admin(method, path, body);
      status.textContent = done;
      await showIncident(id, false);
      return true;
    } catch (e) {
      error.textContent = `${what} failed: ${describeError(e)}`;
      if (e.field) work.querySelector(`#${FIELD_INPUTS[e.field] || 'responder-name'}`)?.focus();
      return false;
    }
  };
  const by = () => {
    const value = name.value.trim();
    if (!value) {
      work.querySelector('#incident-work-error').textContent = 'Enter your name first: every entry is signed.';
      name.focus();
      return null;
    }
    sessionStorage.setItem(RESPONDER_KEY, value);
    return value;
  };
  work.querySelector('#acknowledge').addEventListener('click', () => {
    const who = by();
    if (who) act('Acknowledging', `/v1/admin/incidents/${id}/acknowledge`, 'POST', { by: who }, 'Acknowledged.');
  });
  work.querySelector('#note-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const who = by();
    if (!who) return;
    const kind = work.querySelector('#note-kind').value;
    const textArea = work.querySelector('#note-text');
    if (await act('Adding to the timeline', `/v1/admin/incidents/${id}/notes`, 'POST',
        { by: who, kind, text: textArea.value }, kind === 'status'
          ? 'Status update added and posted to the alert webhooks.' : 'Added to the timeline.')) {
      textArea.value = '';
    }
  });
  work.querySelector('#resolve-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const who = by();
    if (who) {
      act('Resolving', `/v1/admin/incidents/${id}/resolve`, 'POST',
          { by: who, summary: work.querySelector('#resolve-summary').value }, 'Incident resolved.');
    }
  });
  work.querySelector('#findings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const actions = work.querySelector('#corrective-actions').value.split('\n').map((line) => line.trim())
        .filter((line) => line);
    act('Saving', `/v1/admin/incidents/${id}`, 'PATCH', {
      rootCause: work.querySelector('#root-cause').value,
      lessons: work.querySelector('#lessons').value,
      correctiveActions: actions,
    }, 'Postmortem fields saved.');
  });
  updateIncidentWork(work, incident);
  return work;
}

/** Which input a validation error's field points at. */
const FIELD_INPUTS = {
  by: 'responder-name', text: 'note-text', kind: 'note-kind', summary: 'resolve-summary',
  rootCause: 'root-cause', lessons: 'lessons', correctiveActions: 'corrective-actions',
};

function updateIncidentWork(work, incident) {
  const acknowledge = work.querySelector('#acknowledge');
  acknowledge.disabled = Boolean(incident.acknowledgedBy);
  acknowledge.textContent = incident.acknowledgedBy ? `Acknowledged by ${incident.acknowledgedBy}` : 'Acknowledge';
  const resolve = work.querySelector('#resolve-form');
  resolve.hidden = Boolean(incident.resolvedBy);
}

/** The postmortem as a page, refreshed on demand, and the same Markdown as a download. */
function postmortemPanel(id) {
  const panel = document.createElement('div');
  panel.id = 'postmortem-panel';
  panel.dataset.id = String(id);
  const show = document.createElement('button');
  show.type = 'button';
  show.id = 'show-postmortem';
  show.textContent = 'Show the postmortem';
  const download = document.createElement('a');
  download.id = 'download-postmortem';
  download.className = 'button-link';
  download.textContent = 'Download as Markdown';
  download.download = `incident-${id}-postmortem.md`;
  download.hidden = true;
  const page = document.createElement('article');
  page.className = 'postmortem';
  page.id = 'postmortem';
  page.tabIndex = 0;
  page.hidden = true;
  page.setAttribute('aria-label', 'Postmortem');
  show.addEventListener('click', async () => {
    state.postmortemShown = id;
    await refreshPostmortem(id);
    page.focus();
  });
  panel.append(show, download, page);
  return panel;
}

async function refreshPostmortem(id) {
  const page = $('postmortem');
  const download = $('download-postmortem');
  if (!page) return;
  try {
    const markdown = await admin('GET', `/v1/admin/incidents/${id}/postmortem`, undefined, 'text/markdown');
    page.replaceChildren(renderMarkdown(markdown));
    // a data: URL, not a blob: one: nothing to revoke when the postmortem is refreshed
    download.href = `data:text/markdown;charset=utf-8,${encodeURIComponent(markdown)}`;
    download.hidden = false;
  } catch (error) {
    page.replaceChildren(emptyNote(describeError(error)));
  }
  page.hidden = false;
}

// ---------- fault injection ----------

async function refreshFaults() {
  if (!state.token) {
    $('faults').hidden = true;
    return;
  }
  try {
    showFaults(await admin('GET', '/v1/admin/faults'));
  } catch (error) {
    // 404: the server was started without fault injection, so the switches do not exist.
    $('faults').hidden = true;
  }
}

function showFaults(faults) {
  $('faults').hidden = false;
  const editing = $('faults').contains(document.activeElement) && document.activeElement.tagName === 'INPUT';
  if (!editing) {
    $('fault-leak-rate').value = String(faults.leakRate);
    $('fault-latency').value = String(faults.queryLatencyMs);
    $('fault-database-down').checked = Boolean(faults.databaseDown);
  }
  const active = [];
  if (faults.leakRate > 0) active.push(`leaking ${Math.round(faults.leakRate * 100)}% of requests' connections`);
  if (faults.queryLatencyMs > 0) active.push(`adding ${faults.queryLatencyMs} ms to every query`);
  if (faults.databaseDown) active.push('database down');
  $('faults-state').textContent = active.length ? `Active now: ${active.join(', ')}.` : 'No fault is active.';
}

function wireFaults() {
  $('faults-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const leakRate = Number($('fault-leak-rate').value || 0);
    const queryLatencyMs = Number.parseInt($('fault-latency').value || '0', 10);
    if (!(leakRate >= 0 && leakRate <= 1)) {
      $('faults-error').textContent = 'The leak rate is a share between 0 and 1, such as 0.2.';
      return;
    }
    if (!(queryLatencyMs >= 0)) {
      $('faults-error').textContent = 'The added latency is a number of milliseconds, 0 or more.';
      return;
    }
    await putFaults({ leakRate, queryLatencyMs, databaseDown: $('fault-database-down').checked });
  });
  $('faults-clear').addEventListener('click', () => putFaults({ leakRate: 0, queryLatencyMs: 0, databaseDown: false }));
}

async function putFaults(faults) {
  $('faults-error').textContent = '';
  try {
    const now = await admin('PUT', '/v1/admin/faults', faults);
    document.activeElement.blur();
    showFaults(now);
  } catch (error) {
    $('faults-error').textContent = describeError(error);
  }
}

// ---------- small DOM builders ----------

function table(headings, rows, caption) {
  const element = document.createElement('table');
  const captionElement = document.createElement('caption');
  captionElement.className = 'visually-hidden';
  captionElement.textContent = caption;
  const head = document.createElement('thead');
  const headRow = document.createElement('tr');
  for (const heading of headings) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = heading;
    headRow.append(th);
  }
  head.append(headRow);
  const body = document.createElement('tbody');
  for (const cells of rows) {
    const row = document.createElement('tr');
    row.append(...cells);
    body.append(row);
  }
  element.append(captionElement, head, body);
  return element;
}

function text(value) {
  const cell = document.createElement('td');
  cell.textContent = value ?? '';
  return cell;
}

function number(value) {
  const cell = text(value);
  cell.className = 'number';
  return cell;
}

function code(value) {
  const cell = document.createElement('td');
  const element = document.createElement('code');
  element.textContent = value;
  cell.append(element);
  return cell;
}

function badge(value, tag = 'td') {
  const container = document.createElement(tag);
  const element = document.createElement('span');
  element.className = `state state-${value}`;
  element.textContent = value;
  container.append(element);
  return container;
}

function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

function timeCell(iso) {
  const cell = document.createElement('td');
  if (iso) {
    const time = document.createElement('time');
    time.dateTime = iso;
    time.textContent = formatTime(iso);
    cell.append(time);
  }
  return cell;
}

function emptyNote(words) {
  const element = document.createElement('p');
  element.className = 'empty';
  element.textContent = words;
  return element;
}

// ---------- start ----------

function refreshAdmin() {
  refreshAlerts();
  refreshNodes();
  refreshIncidents();
  refreshFaults();
}

wireToken();
wireFaults();
scrape();
refreshPool();
refreshAdmin();
setInterval(scrape, SCRAPE_EVERY_MS);
setInterval(refreshPool, SCRAPE_EVERY_MS);
setInterval(refreshAdmin, ADMIN_EVERY_MS);
