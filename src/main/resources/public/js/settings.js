// The settings page: display name, password, the sessions the user is signed in with, the export of their data and
// deleting the account. Talks to /v1/me and what hangs under it; the chat page hands it the session and is told of
// what changes (a new name, the end of the session).
import { ApiError, describeError, request } from './api.js';

const $ = (id) => document.getElementById(id);

export class SettingsPage {
  /**
   * @param {() => string} token        the current session's token
   * @param {(user) => void} onRenamed   the user object after a new display name
   * @param {(notice) => void} onEnded   the session ended (the account deleted, or the token refused)
   */
  constructor({ token, onRenamed, onEnded }) {
    this.token = token;
    this.onRenamed = onRenamed;
    this.onEnded = onEnded;
    this.wire();
  }

  async call(method, path, body) {
    try {
      return await request(method, path, { token: this.token(), body });
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'unauthorized' || error.code === 'account_deactivated')) {
        this.onEnded(describeError(error));
      }
      throw error;
    }
  }

  show(me) {
    $('settings-display-name').value = me.displayName || '';
    for (const id of ['name-status', 'name-error', 'password-status', 'password-error', 'sessions-error',
      'export-status', 'export-error', 'delete-error']) {
      $(id).textContent = '';
    }
    $('settings').hidden = false;
    $('settings-title').focus?.();
    this.loadSessions();
  }

  hide() {
    $('settings').hidden = true;
  }

  wire() {
    $('name-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const displayName = $('settings-display-name').value.trim();
      if (!displayName) {
        $('name-error').textContent = 'Enter a name of 1 to 64 characters.';
        return;
      }
      this.busy(event.target, $('name-error'), async () => {
        const user = await this.call('PATCH', '/v1/me', { displayName });
        $('name-status').textContent = 'Saved.';
        this.onRenamed(user);
      });
    });

    $('password-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const currentPassword = $('current-password').value;
      const newPassword = $('new-password').value;
      if (newPassword.length < 8 || newPassword.length > 128) {
        $('password-error').textContent = 'The new password needs 8 to 128 characters.';
        return;
      }
      this.busy(event.target, $('password-error'), async () => {
        try {
          await this.call('PUT', '/v1/me/password', { currentPassword, newPassword });
        } catch (error) {
          if (error.code === 'invalid_credentials') throw new Error('That is not your current password.');
          throw error;
        }
        $('current-password').value = '';
        $('new-password').value = '';
        $('password-status').textContent = 'Password changed. Your other sessions were signed out.';
        await this.loadSessions();
      });
    });

    $('export-button').addEventListener('click', () => this.download());

    $('delete-form').addEventListener('submit', (event) => {
      event.preventDefault();
      if (!$('delete-confirm').checked) {
        $('delete-error').textContent = 'Tick the box to confirm that you want to delete your account.';
        return;
      }
      const password = $('delete-password').value;
      this.busy(event.target, $('delete-error'), async () => {
        try {
          await this.call('DELETE', '/v1/me', { password });
        } catch (error) {
          if (error.code === 'invalid_credentials') throw new Error('That is not your password.');
          throw error;
        }
        $('delete-password').value = '';
        $('delete-confirm').checked = false;
        this.onEnded('Your account was deleted.');
      });
    });
  }

  async loadSessions() {
    const list = $('session-list');
    try {
      const { sessions } = await this.call('GET', '/v1/me/sessions');
      list.replaceChildren(...sessions.map((session) => this.sessionItem(session)));
      $('sessions-error').textContent = '';
    } catch (error) {
      $('sessions-error').textContent = describeError(error);
    }
  }

  sessionItem(session) {
    const item = document.createElement('li');
    item.dataset.sessionId = session.id;
    const what = document.createElement('span');
    what.className = 'session-what';
    what.textContent = `${browserName(session.userAgent)} from ${session.address || 'an unknown address'}`;
    const when = document.createElement('span');
    when.className = 'hint';
    when.textContent = `last used ${new Date(session.lastUsedAt).toLocaleString()}, signed in `
        + `${new Date(session.createdAt).toLocaleString()}`;
    item.append(what, when);
    if (session.current) {
      const current = document.createElement('span');
      current.className = 'session-current';
      current.textContent = 'This browser';
      item.append(current);
    } else {
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'quiet';
      revoke.textContent = 'Sign out';
      revoke.setAttribute('aria-label', `Sign out ${what.textContent}`);
      revoke.addEventListener('click', async () => {
        revoke.disabled = true;
        try {
          await this.call('DELETE', `/v1/me/sessions/${session.id}`);
          item.remove();
        } catch (error) {
          revoke.disabled = false;
          $('sessions-error').textContent = describeError(error);
        }
      });
      item.append(revoke);
    }
    return item;
  }

  /**
   * The export needs the token in a header, which a plain link cannot send: fetched here, handed to the browser as a
   * file from a blob URL.
   */
  async download() {
    const button = $('export-button');
    button.disabled = true;
    $('export-error').textContent = '';
    $('export-status').textContent = 'Preparing your data…';
    try {
      const response = await fetch('/v1/me/export', { headers: { Authorization: `Bearer ${this.token()}` },
        cache: 'no-store' });
      if (!response.ok) {
        let error = {};
        try {
          error = (await response.json()).error || {};
        } catch (e) {
          // no JSON body: the status alone has to do
        }
        throw new ApiError(response.status, error.code || `http_${response.status}`, error.message, error.field,
            Number.parseInt(response.headers.get('Retry-After') || '', 10) || null);
      }
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = 'courier-export.json';
      link.hidden = true;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      $('export-status').textContent = `Downloaded (${Math.ceil(blob.size / 1024)} KiB).`;
    } catch (error) {
      $('export-status').textContent = '';
      $('export-error').textContent = describeError(error);
    } finally {
      button.disabled = false;
    }
  }

  async busy(form, errorElement, work) {
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    errorElement.textContent = '';
    try {
      await work();
    } catch (error) {
      errorElement.textContent = error instanceof ApiError ? describeError(error) : error.message;
    } finally {
      button.disabled = false;
    }
  }
}

/** A short name for a browser from its user agent, for a person to recognise the session by. */
function browserName(userAgent) {
  if (!userAgent) return 'An unknown client';
  const known = [['Edg/', 'Edge'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari']];
  const browser = known.find(([token]) => userAgent.includes(token));
  const system = ['Windows', 'Android', 'iPhone', 'Mac OS', 'Linux'].find((s) => userAgent.includes(s));
  if (!browser) return userAgent.slice(0, 40);
  return system ? `${browser[1]} on ${system}` : browser[1];
}
