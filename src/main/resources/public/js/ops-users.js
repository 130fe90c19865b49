// The operations console's users page: find users, deactivate and reactivate them, and read the audit log of the
// admin API. Shares the admin token with the dashboard (the same sessionStorage key).
import { describeError, request } from './api.js';

const TOKEN_KEY = 'courier.adminToken';
const PAGE = 50;

const $ = (id) => document.getElementById(id);

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  query: '',
  usersNext: null,
  auditNext: null,
};

function admin(method, path) {
  return request(method, path, { token: state.token });
}

function problem(error, what) {
  if (!state.token) return `Enter the admin token to see ${what}.`;
  if (error.code === 'unauthorized') {
    $('token-notice').textContent = 'The admin token was refused. Check it and enter it again.';
  }
  return describeError(error);
}

// ---------- users ----------

async function searchUsers(append) {
  $('users-error').textContent = '';
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (state.query) params.set('query', state.query);
  if (append && state.usersNext) params.set('cursor', state.usersNext);
  try {
    const page = await admin('GET', `/v1/admin/users?${params}`);
    state.usersNext = page.next;
    renderUsers(page.users, append);
    $('users-more').hidden = !page.next;
  } catch (error) {
    $('users-error').textContent = problem(error, 'users');
  }
}

function renderUsers(users, append) {
  const container = $('users');
  let body = container.querySelector('tbody');
  if (!append || !body) {
    const table = document.createElement('table');
    table.innerHTML = '<caption class="visually-hidden">Users</caption><thead><tr><th scope="col">Id</th>'
        + '<th scope="col">Username</th><th scope="col">Display name</th><th scope="col">Created</th>'
        + '<th scope="col">Last seen</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>';
    body = document.createElement('tbody');
    table.append(body);
    container.replaceChildren(table);
  }
  if (!append && users.length === 0) {
    container.replaceChildren(note('No user matches.'));
    return;
  }
  for (const user of users) body.append(userRow(user));
}

function userRow(user) {
  const row = document.createElement('tr');
  row.dataset.userId = user.id;
  const stateName = user.deleted ? 'deleted' : user.deactivatedAt ? 'deactivated' : 'active';
  row.append(cell(user.id, 'number'), cell(user.username), cell(user.displayName), time(user.createdAt),
      time(user.lastSeenAt), badge(stateName));
  const action = document.createElement('td');
  if (!user.deleted) {
    const button = document.createElement('button');
    button.type = 'button';
    const deactivating = !user.deactivatedAt;
    button.textContent = deactivating ? 'Deactivate' : 'Reactivate';
    button.className = deactivating ? 'danger' : '';
    button.setAttribute('aria-label', `${button.textContent} ${user.username}`);
    button.addEventListener('click', async () => {
      if (deactivating && !window.confirm(`Deactivate ${user.username}? They are signed out everywhere at once.`)) {
        return;
      }
      button.disabled = true;
      try {
        await admin('POST', `/v1/admin/users/${user.id}/${deactivating ? 'deactivate' : 'reactivate'}`);
        const updated = { ...user, deactivatedAt: deactivating ? new Date().toISOString() : null };
        row.replaceWith(userRow(updated));
        refreshAudit(false);
      } catch (error) {
        button.disabled = false;
        $('users-error').textContent = problem(error, 'users');
      }
    });
    action.append(button);
  }
  row.append(action);
  return row;
}

// ---------- audit log ----------

async function refreshAudit(append) {
  $('audit-error').textContent = '';
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (append && state.auditNext) params.set('cursor', state.auditNext);
  try {
    const page = await admin('GET', `/v1/admin/audit-log?${params}`);
    state.auditNext = page.next;
    renderAudit(page.entries, append);
    $('audit-more').hidden = !page.next;
  } catch (error) {
    $('audit-error').textContent = problem(error, 'the audit log');
  }
}

function renderAudit(entries, append) {
  const container = $('audit');
  let body = container.querySelector('tbody');
  if (!append || !body) {
    const table = document.createElement('table');
    table.innerHTML = '<caption class="visually-hidden">Audit log</caption><thead><tr><th scope="col">When</th>'
        + '<th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th>'
        + '<th scope="col">Status</th></tr></thead>';
    body = document.createElement('tbody');
    table.append(body);
    container.replaceChildren(table);
  }
  if (!append && entries.length === 0) {
    container.replaceChildren(note('No admin action yet.'));
    return;
  }
  for (const entry of entries) {
    const row = document.createElement('tr');
    const target = Object.entries(entry.target || {}).map(([k, v]) => `${k}=${v}`).join(', ');
    row.append(time(entry.at), cell(entry.actor), cell(entry.action), cell(target), cell(entry.status, 'number'));
    body.append(row);
  }
}

// ---------- small DOM builders ----------

function cell(value, className) {
  const element = document.createElement('td');
  element.textContent = value ?? '';
  if (className) element.className = className;
  return element;
}

function time(iso) {
  const element = document.createElement('td');
  if (iso) {
    const t = document.createElement('time');
    t.dateTime = iso;
    t.textContent = new Date(iso).toLocaleString();
    element.append(t);
  }
  return element;
}

function badge(value) {
  const element = document.createElement('td');
  const span = document.createElement('span');
  span.className = `state state-${value}`;
  span.textContent = value;
  element.append(span);
  return element;
}

function note(words) {
  const element = document.createElement('p');
  element.className = 'empty';
  element.textContent = words;
  return element;
}

// ---------- start ----------

$('admin-token').value = state.token || '';
$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('admin-token').value.trim();
  state.token = token || null;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  $('token-notice').textContent = '';
  searchUsers(false);
  refreshAudit(false);
});
$('user-search').addEventListener('submit', (event) => {
  event.preventDefault();
  state.query = $('user-query').value.trim();
  searchUsers(false);
});
$('users-more').addEventListener('click', () => searchUsers(true));
$('audit-more').addEventListener('click', () => refreshAudit(true));
searchUsers(false);
refreshAudit(false);
