// Courier's chat client: accounts, conversations, history, live delivery and sends that survive failures; replies,
// edits, deletes, reactions and mentions, with the changes caught up like messages.
import { ApiError, describeError, newUuid, onServerState, request, waitSeconds } from './api.js';
import { closeEmojiPicker, openEmojiPicker } from './emoji-picker.js';
import { LiveConnection } from './live.js';
import { MentionCompletion } from './mention-completion.js';
import { AttachmentBlobs, formatSize, uploadFile } from './attachments.js';
import { SettingsPage } from './settings.js';
import { excerpt, fillMessage, fillPending, messageElement } from './message-view.js';
import { wireSearch } from './search.js';

const SESSION_KEY = 'courier.session';
const PAGE_SIZE = 50;
const CATCH_UP_PAGE = 200;
const CATCH_UP_MAX_PAGES = 50;
const AUTO_RETRIES = 5;
const ACK_TIMEOUT_MS = 10_000;
const NEAR_BOTTOM_PX = 80;
const CONFIRM_DELETE_MS = 4_000;
// A search result deep in a conversation's history is reached by reading older pages of up to HISTORY_MAX messages,
// JUMP_MAX_PAGES of them at most; it stays marked as found for FOUND_SHOWN_MS.
const HISTORY_MAX = 500;
const JUMP_MAX_PAGES = 20;
const FOUND_SHOWN_MS = 4_000;
// The contract lets a client send one typing frame every 3 s while typing; a typist not heard from for twice that
// has stopped.
const TYPING_EVERY_MS = 3_000;
const TYPING_SHOWN_MS = 6_000;

const $ = (id) => document.getElementById(id);

const state = {
  token: null,
  me: null,
  live: null,
  conversations: new Map(), // id -> conversation as the caller sees it
  order: [], // conversation ids, most recent activity first
  openId: null,
  shown: new Map(), // seq -> <li> of the open conversation
  messages: new Map(), // seq -> message of the open conversation, as last seen (shown, or fetched for a quote)
  lastChangeSeq: 0, // every change of the open conversation up to this one has been applied
  catchingUpChanges: null,
  fetchingQuotes: new Set(),
  replyTo: null, // seq the composer's next message answers
  mentions: null, // the composer's @-completion
  firstSeq: null,
  lastSeq: 0,
  hasOlder: false,
  loadingOlder: null, // the running read of older history, which a second reader joins
  catchingUp: null,
  historyLoaded: false, // the open conversation's latest page has been read
  pending: new Map(), // clientMsgId -> send in flight or failed
  readBy: new Map(), // conversationId -> Map(userId -> seq), from readMarkers and the stream's read frames
  typists: new Map(), // userId -> {conversationId, timer}: who is typing, as the stream said lately
  typingSentAt: new Map(), // conversationId -> when this page last said it is typing there
  refreshTimer: null,
  listShown: null, // what the conversation list shows now, to skip identical redraws
  uploads: [], // files picked for the next message: {file, element, attachment (once uploaded), failed}
  search: null, // the search box's controls
};

/** Attachments' bytes, fetched with the session's token as blobs for previews and downloads. */
const blobs = new AttachmentBlobs(() => state.token);

// ---------- session ----------

function api(method, path, body) {
  return request(method, path, { token: state.token, body }).catch((error) => {
    if (error instanceof ApiError && (error.code === 'unauthorized' || error.code === 'account_deactivated')
        && state.token) {
      endSession(describeError(error));
    }
    throw error;
  });
}

async function boot() {
  wireForms();
  state.search = wireSearch({
    api,
    where: (message) => {
      const conversation = state.conversations.get(message.conversationId);
      const name = conversation ? conversationName(conversation) : 'A conversation';
      return `${name} · ${memberName(message.conversationId, message.senderId)}`;
    },
    open: openConversationAt,
  });
  const saved = readSavedSession();
  if (!saved) {
    showAuth();
    return;
  }
  state.token = saved.token;
  try {
    state.me = await api('GET', '/v1/me');
    showChat();
  } catch (error) {
    if (error.code !== 'unauthorized') {
      // The server is down or busy: keep the session and show the chat; the connection status says the rest.
      state.me = saved.user;
      showChat();
    }
  }
}

function readSavedSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY));
    return saved && saved.token && saved.user ? saved : null;
  } catch (e) {
    return null;
  }
}

function startSession(session) {
  state.token = session.token;
  state.me = session.user;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token: session.token, user: session.user }));
  showChat();
}

function endSession(notice) {
  settings.hide();
  if (state.search) state.search.close(); // the next person at this page must not see these results
  if (state.live) state.live.stop();
  state.live = null;
  for (const send of state.pending.values()) clearTimeout(send.timer);
  state.pending.clear();
  sessionStorage.removeItem(SESSION_KEY);
  blobs.clear();
  clearUploads(true);
  state.token = null;
  state.me = null;
  state.conversations.clear();
  state.readBy.clear();
  for (const typist of state.typists.values()) clearTimeout(typist.timer);
  state.typists.clear();
  state.order = [];
  state.listShown = null;
  closeConversation();
  showAuth(notice);
}

const settings = new SettingsPage({
  token: () => state.token,
  onRenamed: (user) => {
    state.me = user;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token: state.token, user }));
    $('me-name').textContent = user.displayName || user.username;
  },
  // A deletion closes this page's stream too (4001), which may end the session before the answer arrives: the
  // answer's notice wins either way.
  onEnded: (notice) => {
    if (state.token) endSession(notice);
    else $('auth-notice').textContent = notice;
  },
});

function showSettings() {
  $('chat').hidden = true;
  settings.show(state.me);
}

function hideSettings() {
  settings.hide();
  $('chat').hidden = false;
}

function showAuth(notice = '') {
  $('chat').hidden = true;
  $('me').hidden = true;
  $('connection').hidden = true;
  $('auth').hidden = false;
  $('auth-notice').textContent = notice;
  $('login-username').focus();
}

function showChat() {
  $('auth').hidden = true;
  $('chat').hidden = false;
  $('me').hidden = false;
  $('me-name').textContent = state.me.displayName || state.me.username;
  renderConversationList();
  state.live = new LiveConnection({
    token: state.token,
    onFrame: handleFrame,
    onStatus: showConnectionStatus,
    onCatchUp: catchUpEverything,
    onPoll: catchUpEverything,
    onRevoked: () => endSession('You were signed out.'),
  });
  state.live.start();
  catchUpEverything();
}

const STATUS_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  degraded: 'Connected, but the server cannot reach its database: messages are not sent until it is back.',
  reconnecting: 'Connection lost. Reconnecting…',
  polling: 'Live updates are not available; checking for new messages every few seconds.',
  offline: 'You are offline. Reconnecting when the network is back…',
};

function showConnectionStatus(status) {
  const element = $('connection');
  element.hidden = false;
  // a live socket to a server without its database is not "Live": nothing sent now would be stored
  const shown = status === 'live' && databaseAway.since !== null ? 'degraded' : status;
  element.dataset.state = shown;
  element.textContent = STATUS_TEXT[shown] || shown;
}

const READY_PROBE_MS = 5_000;
const databaseAway = { since: null, probe: null };

/** A request answered `unavailable`: say so until a request, or the readiness probe, succeeds again. */
function serverStateChanged(serverState) {
  if (serverState === 'unavailable' && databaseAway.since === null) {
    databaseAway.since = Date.now();
    databaseAway.probe = setInterval(async () => {
      try {
        await request('GET', '/health/ready');
      } catch (e) {
        // still away; the next probe asks again
      }
    }, READY_PROBE_MS);
  } else if (serverState === 'ok' && databaseAway.since !== null) {
    databaseAway.since = null;
    clearInterval(databaseAway.probe);
  } else {
    return;
  }
  if (state.live) showConnectionStatus(state.live.status);
}

onServerState(serverStateChanged);

// ---------- forms ----------

function wireForms() {
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const username = $('login-username').value.trim();
    const password = $('login-password').value;
    if (!username || !password) {
      $('login-error').textContent = 'Enter your username and password.';
      return;
    }
    await withBusyForm(event.target, $('login-error'), async () => {
      startSession(await request('POST', '/v1/sessions', { body: { username, password } }));
      $('login-password').value = '';
    });
  });

  $('register-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const username = $('register-username').value.trim();
    const password = $('register-password').value;
    const displayName = $('register-display-name').value.trim();
    const problem = registrationProblem(username, password);
    if (problem) {
      $('register-error').textContent = problem;
      return;
    }
    await withBusyForm(event.target, $('register-error'), async () => {
      const account = { username, password };
      if (displayName) account.displayName = displayName;
      await request('POST', '/v1/accounts', { body: account });
      startSession(await request('POST', '/v1/sessions', { body: { username, password } }));
      $('register-password').value = '';
    });
  });

  $('open-settings').addEventListener('click', showSettings);
  $('close-settings').addEventListener('click', hideSettings);

  $('sign-out').addEventListener('click', async () => {
    try {
      await request('DELETE', '/v1/sessions/current', { token: state.token });
    } catch (e) {
      // the token is forgotten here either way
    }
    endSession('');
  });

  $('direct-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const username = $('direct-username').value.trim();
    if (!username) {
      $('direct-error').textContent = 'Enter a username.';
      return;
    }
    await withBusyForm(event.target, $('direct-error'), async () => {
      const other = await findUser(username);
      const conversation = await api('POST', '/v1/conversations', { type: 'direct', members: [other.id] });
      $('direct-username').value = '';
      upsertConversation(conversation, true);
      openConversation(conversation.id);
    });
  });

  $('group-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const title = $('group-title').value.trim();
    if (!title) {
      $('group-error').textContent = 'Give the group a name.';
      return;
    }
    const usernames = $('group-members').value.split(/[\s,]+/).filter(Boolean);
    await withBusyForm(event.target, $('group-error'), async () => {
      const members = [];
      for (const username of usernames) members.push((await findUser(username)).id);
      const conversation = await api('POST', '/v1/conversations', { type: 'group', title, members });
      $('group-title').value = '';
      $('group-members').value = '';
      upsertConversation(conversation, true);
      openConversation(conversation.id);
    });
  });

  $('add-member-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const username = $('add-member-username').value.trim();
    if (!username || !state.openId) return;
    await withBusyForm(event.target, $('group-tools-error'), async () => {
      const user = await findUser(username);
      const conversation = await api('POST', `/v1/conversations/${state.openId}/members`, { userId: user.id });
      $('add-member-username').value = '';
      upsertConversation(conversation, false);
    });
  });

  $('leave-group').addEventListener('click', async () => {
    const id = state.openId;
    if (!id) return;
    try {
      await api('DELETE', `/v1/conversations/${id}/members/${state.me.id}`);
      forgetConversation(id);
    } catch (error) {
      $('group-tools-error').textContent = describeError(error);
    }
  });

  const input = $('composer-input');
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    sendFromComposer();
  });
  state.mentions = new MentionCompletion(input, $('mention-suggestions'), mentionCandidates);
  input.addEventListener('input', () => sayTyping());
  input.addEventListener('keydown', (event) => {
    if (event.isComposing || state.mentions.handleKey(event)) return;
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      sendFromComposer();
    } else if (event.key === 'Escape' && state.replyTo !== null) {
      event.preventDefault();
      cancelReply();
    }
  });
  $('attach-button').addEventListener('click', () => $('attach-input').click());
  $('attach-input').addEventListener('change', (event) => {
    attachFiles(event.target.files);
    event.target.value = '';
  });
  const dropZone = $('conversation');
  dropZone.addEventListener('dragover', (event) => {
    if (!state.openId || !event.dataTransfer || !event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    dropZone.classList.add('dropping');
  });
  dropZone.addEventListener('dragleave', (event) => {
    if (!dropZone.contains(event.relatedTarget)) dropZone.classList.remove('dropping');
  });
  dropZone.addEventListener('drop', (event) => {
    dropZone.classList.remove('dropping');
    if (!state.openId || !event.dataTransfer || event.dataTransfer.files.length === 0) return;
    event.preventDefault();
    attachFiles(event.dataTransfer.files);
  });
  $('reply-cancel').addEventListener('click', () => {
    cancelReply();
    input.focus();
  });

  $('messages').addEventListener('scroll', () => {
    if ($('messages').scrollTop < NEAR_BOTTOM_PX) loadOlder();
    if (isNearBottom()) markRead();
  });
  document.addEventListener('visibilitychange', () => markRead());
  window.addEventListener('focus', () => markRead());
}

function registrationProblem(username, password) {
  if (!/^[A-Za-z0-9_.-]{3,32}$/.test(username)) {
    return 'A username has 3 to 32 letters, digits, dots, dashes or underscores.';
  }
  if (password.length < 8 || password.length > 128) return 'A password has 8 to 128 characters.';
  return null;
}

async function withBusyForm(form, errorElement, work) {
  const button = form.querySelector('button[type="submit"]');
  errorElement.textContent = '';
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    errorElement.textContent = error instanceof UnknownUser ? error.message : describeError(error);
  } finally {
    button.disabled = false;
  }
}

class UnknownUser extends Error {}

async function findUser(username) {
  try {
    return await api('GET', `/v1/users/${encodeURIComponent(username.toLowerCase())}`);
  } catch (error) {
    if (error.code === 'not_found') throw new UnknownUser(`Nobody is called “${username}” on Courier.`);
    throw error;
  }
}

// ---------- conversations ----------

function conversationName(conversation) {
  if (conversation.type === 'group') return conversation.title;
  const other = conversation.members.find((member) => member.id !== state.me.id) || conversation.members[0];
  return other ? other.displayName || other.username : 'Direct conversation';
}

async function refreshConversations() {
  const page = await api('GET', '/v1/conversations?limit=100');
  const fresh = new Map(page.conversations.map((c) => [c.id, c]));
  // Keep a conversation opened a moment ago even if the list was read just before it existed.
  if (state.openId && !fresh.has(state.openId) && state.conversations.has(state.openId)) {
    fresh.set(state.openId, state.conversations.get(state.openId));
  }
  state.conversations = fresh;
  page.conversations.forEach(seedReadMarkers);
  state.order = page.conversations.map((c) => c.id);
  if (state.openId && !state.order.includes(state.openId)) state.order.unshift(state.openId);
  renderConversationList();
  renderConversationHeader();
  markRead();
}

/** Reads the list again a moment later: several frames in a row cost one request. */
function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => refreshConversations().catch(() => {}), 300);
}

function upsertConversation(conversation, toFront) {
  const known = state.conversations.get(conversation.id);
  state.conversations.set(conversation.id, { ...known, ...conversation });
  seedReadMarkers(conversation);
  if (toFront || !state.order.includes(conversation.id)) {
    state.order = [conversation.id, ...state.order.filter((id) => id !== conversation.id)];
  }
  renderConversationList();
  if (conversation.id === state.openId) renderConversationHeader();
}

/** What the conversation object says of every member's read position; a read frame later only moves it on. */
function seedReadMarkers(conversation) {
  if (!conversation.readMarkers) return; // a server before readMarkers
  const readers = state.readBy.get(conversation.id) || new Map();
  for (const marker of conversation.readMarkers) {
    readers.set(marker.userId, Math.max(readers.get(marker.userId) || 0, marker.seq));
  }
  state.readBy.set(conversation.id, readers);
}

function forgetConversation(id) {
  state.conversations.delete(id);
  state.order = state.order.filter((other) => other !== id);
  if (state.openId === id) closeConversation();
  renderConversationList();
}

function renderConversationList() {
  // Polling asks every few seconds; rebuild only on change, so nothing flickers or is re-announced.
  const shown = JSON.stringify([state.openId, state.order.map((id) => {
    const c = state.conversations.get(id);
    return c && [id, conversationName(c), c.unread, c.unreadMentions, c.members.length,
      directPeer(c) && directPeer(c).online];
  })]);
  if (shown === state.listShown) return;
  state.listShown = shown;
  const list = $('conversation-list');
  const items = [];
  for (const id of state.order) {
    const conversation = state.conversations.get(id);
    if (!conversation) continue;
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'conversation-link';
    button.dataset.id = String(id);
    if (id === state.openId) button.setAttribute('aria-current', 'true');
    const peer = directPeer(conversation);
    if (peer) button.append(presenceDot(peer));
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = conversationName(conversation);
    button.append(name);
    if (conversation.type === 'group') {
      const kind = document.createElement('span');
      kind.className = 'kind';
      kind.textContent = `${conversation.members.length} members`;
      button.append(kind);
    }
    if (conversation.unreadMentions > 0) {
      const mentioned = document.createElement('span');
      mentioned.className = 'unread-mentions';
      mentioned.textContent = `@${conversation.unreadMentions}`;
      mentioned.title = 'Unread messages that mention you';
      const words = document.createElement('span');
      words.className = 'visually-hidden';
      words.textContent = ' mentioning you';
      mentioned.append(words);
      button.append(mentioned);
    }
    if (conversation.unread > 0) {
      const unread = document.createElement('span');
      unread.className = 'unread';
      unread.textContent = String(conversation.unread);
      const words = document.createElement('span');
      words.className = 'visually-hidden';
      words.textContent = ' unread';
      unread.append(words);
      button.append(unread);
    }
    button.addEventListener('click', () => openConversation(id));
    item.append(button);
    items.push(item);
  }
  const focusedId = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.id : undefined;
  list.replaceChildren(...items);
  if (focusedId) {
    const again = list.querySelector(`button[data-id="${focusedId}"]`);
    if (again) again.focus();
  }
  $('conversation-empty').hidden = items.length > 0;
}

/** The other member of a direct conversation, whose presence its entry in the list shows. */
function directPeer(conversation) {
  if (conversation.type !== 'direct' || !state.me) return null;
  return conversation.members.find((member) => member.id !== state.me.id) || null;
}

/** A dot, green while the user is online; says it in words too, for those who cannot see the colour. */
function presenceDot(user) {
  const dot = document.createElement('span');
  dot.className = 'presence';
  const known = typeof user.online === 'boolean'; // null from a server that does not show it
  dot.dataset.online = String(user.online === true);
  const words = !known ? '' : user.online ? 'online'
    : user.lastSeenAt ? `last seen ${new Date(user.lastSeenAt).toLocaleString()}` : 'offline';
  dot.title = words;
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.textContent = words ? ` (${words}) ` : '';
  dot.append(hidden);
  dot.hidden = !known;
  return dot;
}

function renderConversationHeader() {
  const conversation = state.conversations.get(state.openId);
  if (!conversation) return;
  $('conversation-title').textContent = conversationName(conversation);
  const members = ['Members: '];
  conversation.members.forEach((m, i) => {
    const member = document.createElement('span');
    member.className = 'member';
    member.dataset.userId = String(m.id);
    if (m.id !== state.me.id) member.append(presenceDot(m));
    member.append(m.id === state.me.id ? 'you' : m.displayName || m.username);
    members.push(member);
    if (i < conversation.members.length - 1) members.push(', ');
  });
  $('conversation-members').replaceChildren(...members);
  renderTyping();
  $('group-tools').hidden = conversation.type !== 'group';
  renderSeen();
}

async function openConversation(id) {
  if (state.openId === id) {
    $('composer-input').focus();
    return;
  }
  const conversation = state.conversations.get(id);
  if (!conversation) return;
  state.openId = id;
  state.shown = new Map();
  state.messages = new Map();
  state.lastChangeSeq = conversation.lastChangeSeq || 0; // history, read next, is at least this new
  state.fetchingQuotes = new Set();
  cancelReply();
  closeEmojiPicker(false);
  state.firstSeq = null;
  state.lastSeq = 0;
  state.hasOlder = false;
  state.historyLoaded = false;
  $('messages').replaceChildren();
  $('history-status').textContent = '';
  $('group-tools-error').textContent = '';
  $('composer').hidden = false;
  renderConversationList();
  renderConversationHeader();
  for (const send of state.pending.values()) {
    if (send.conversationId === id) $('messages').append(send.element);
  }
  $('composer-input').focus();
  try {
    const page = await api('GET', `/v1/conversations/${id}/messages?before=${conversation.lastSeq + 1}&limit=${PAGE_SIZE}`);
    if (state.openId !== id) return;
    state.hasOlder = page.hasMore;
    page.messages.forEach(showMessage);
    state.historyLoaded = true;
    scrollToBottom();
    await catchUp(id);
    await catchUpChanges(id);
    markRead();
  } catch (error) {
    if (state.openId === id) $('history-status').textContent = describeError(error);
  }
}

function closeConversation() {
  state.openId = null;
  state.shown = new Map();
  state.messages = new Map();
  cancelReply();
  $('messages').replaceChildren();
  $('conversation-title').textContent = 'Pick a conversation';
  $('conversation-members').textContent = '';
  $('typing').textContent = '';
  $('group-tools').hidden = true;
  $('composer').hidden = true;
  $('seen').textContent = '';
}

// ---------- messages ----------

/** Reads up to `limit` messages before the first one shown; a call while a read runs joins that read. */
function loadOlder(limit = PAGE_SIZE) {
  const id = state.openId;
  if (state.loadingOlder) return state.loadingOlder;
  if (!id || !state.hasOlder || state.firstSeq === null) return Promise.resolve();
  $('history-status').textContent = 'Loading older messages…';
  const log = $('messages');
  state.loadingOlder = (async () => {
    try {
      const page = await api('GET', `/v1/conversations/${id}/messages?before=${state.firstSeq}&limit=${limit}`);
      if (state.openId !== id) return;
      const heightBefore = log.scrollHeight;
      page.messages.forEach(showMessage);
      log.scrollTop += log.scrollHeight - heightBefore; // keep the reader's place
      state.hasOlder = page.hasMore;
      $('history-status').textContent = page.hasMore ? '' : 'This is the beginning of the conversation.';
    } catch (error) {
      $('history-status').textContent = describeError(error);
    } finally {
      state.loadingOlder = null;
    }
  })();
  return state.loadingOlder;
}

/**
 * Opens conversation `id` at message `seq` (a search result): the latest page as usual, then older pages until the
 * message is shown, which is then scrolled to the middle, marked as found for a while and focused.
 */
async function openConversationAt(id, seq) {
  if (!state.conversations.has(id)) await refreshConversations().catch(() => {});
  if (!state.conversations.has(id)) {
    $('search-status').textContent = 'That conversation is no longer yours to open.';
    return;
  }
  await openConversation(id);
  if (state.openId !== id || !state.historyLoaded) return; // left meanwhile, or the history said why it failed
  for (let pages = 0; pages < JUMP_MAX_PAGES && state.openId === id && !state.shown.has(seq); pages += 1) {
    if (!state.hasOlder || state.firstSeq === null || seq > state.firstSeq) break;
    await loadOlder(Math.min(HISTORY_MAX, state.firstSeq - seq + PAGE_SIZE));
  }
  const element = state.shown.get(seq);
  if (state.openId !== id) return;
  if (!element) {
    $('history-status').textContent = 'That message is too far back to show here; scroll up to read older messages.';
    return;
  }
  element.scrollIntoView({ block: 'center' });
  element.classList.add('found');
  element.tabIndex = -1;
  element.focus({ preventScroll: true });
  setTimeout(() => element.classList.remove('found'), FOUND_SHOWN_MS);
}

/** Fetches whatever the open conversation has after the last message shown (after a gap, a reconnect, a poll). */
function catchUp(id) {
  return pageThrough('catchingUp', id, () => `after=${state.lastSeq}`, showMessage).then((done) => {
    if (done) markRead();
  });
}

/**
 * Reads the open conversation's pages of `query()` (asked again for each page) until the last, handing each
 * message to `take`; one run per `kind` at a time, which a second caller joins. Resolves to false when the reader
 * left the conversation meanwhile.
 */
function pageThrough(kind, id, query, take) {
  const running = state[kind];
  if (running && running.id === id) return running.done;
  const run = { id, done: null };
  state[kind] = run;
  run.done = (async () => {
    try {
      for (let pages = 0; pages < CATCH_UP_MAX_PAGES && state.openId === id; pages += 1) {
        const page = await api('GET', `/v1/conversations/${id}/messages?${query()}&limit=${CATCH_UP_PAGE}`);
        if (state.openId !== id) return false;
        page.messages.forEach(take);
        if (!page.hasMore) break;
      }
      return state.openId === id;
    } finally {
      if (state[kind] === run) state[kind] = null;
    }
  })();
  return run.done;
}

async function catchUpEverything() {
  try {
    await refreshConversations();
    // Before the latest page is in, "after the last seq shown" would mean from the very first message.
    if (state.openId && state.historyLoaded) {
      await catchUp(state.openId);
      await catchUpChanges(state.openId);
    }
  } catch (error) {
    // the connection status already tells the person; the next poll or reconnect tries again
  }
}

function memberName(conversationId, userId) {
  if (state.me && userId === state.me.id) return 'You';
  const conversation = state.conversations.get(conversationId);
  const member = conversation && conversation.members.find((m) => m.id === userId);
  return member ? member.displayName || member.username : 'Former member';
}

function usernameOf(conversationId, userId) {
  if (state.me && userId === state.me.id) return state.me.username;
  const conversation = state.conversations.get(conversationId);
  const member = conversation && conversation.members.find((m) => m.id === userId);
  return member ? member.username : '';
}

/** Whom the composer's @-completion offers: the open conversation's other members. */
function mentionCandidates() {
  const conversation = state.conversations.get(state.openId);
  return conversation ? conversation.members.filter((member) => member.id !== state.me.id) : [];
}

/**
 * Shows an acknowledged message once, in seq order; an optimistic entry with its clientMsgId becomes it. A message
 * shown already is updated instead, when this copy is newer (a catch-up page may bring a later state).
 */
function showMessage(message) {
  if (message.conversationId !== state.openId) return;
  if (state.shown.has(message.seq)) {
    applyChange(message, false);
    return;
  }
  const log = $('messages');
  const stickToBottom = isNearBottom();
  let element = null;
  const send = state.pending.get(message.clientMsgId);
  if (send && message.senderId === state.me.id) {
    settle(send);
    element = send.element;
    element.classList.remove('pending', 'failed');
    element.querySelector('.delivery').replaceChildren();
  } else {
    element = messageElement(message.senderId === state.me.id);
  }
  element.dataset.seq = String(message.seq);
  element.dataset.clientMsgId = message.clientMsgId;
  state.shown.set(message.seq, element);
  const known = state.messages.get(message.seq); // fetched for a quote, perhaps in a later state
  state.messages.set(message.seq, known && known.changeSeq > message.changeSeq ? known : message);
  renderMessage(element, state.messages.get(message.seq));

  // Acknowledged messages are in seq order; entries still sending stay after them.
  let before = null;
  for (const other of log.children) {
    if (other === element) continue;
    if (!other.dataset.seq || Number(other.dataset.seq) > message.seq) {
      before = other;
      break;
    }
  }
  log.insertBefore(element, before);
  state.firstSeq = state.firstSeq === null ? message.seq : Math.min(state.firstSeq, message.seq);
  state.lastSeq = Math.max(state.lastSeq, message.seq);
  const conversation = state.conversations.get(message.conversationId);
  if (conversation) conversation.lastSeq = Math.max(conversation.lastSeq, message.seq);
  renderQuotesOf(message.seq);
  if (stickToBottom || message.senderId === state.me.id) scrollToBottom();
  renderSeen();
}

function renderMessage(element, message) {
  const conversation = state.conversations.get(message.conversationId);
  const mine = message.senderId === state.me.id;
  const owner = Boolean(conversation && conversation.type === 'group' && conversation.ownerId === state.me.id);
  fillMessage(element, message, {
    me: state.me.id,
    nameOf: (userId) => memberName(message.conversationId, userId),
    usernameOf: (userId) => usernameOf(message.conversationId, userId),
    quoted: message.replyTo ? quoteOf(message.replyTo) : null,
    canEdit: mine,
    canDelete: mine || owner,
    onReply: () => startReply(message.seq),
    onReact: (button) => openEmojiPicker(button, (emoji) => react(message.seq, emoji, false)),
    onToggleReaction: (emoji, reacted) => react(message.seq, emoji, reacted),
    onEdit: () => startEdit(message.seq),
    onDelete: (button) => confirmDelete(button, message.seq),
    fillAttachments: (list, attachments) => blobs.fill(list, attachments),
  });
}

/** What a reply shows of the message it answers; one not loaded yet is fetched, and its replies drawn again. */
function quoteOf(seq) {
  const original = state.messages.get(seq);
  if (original) {
    return { senderName: memberName(original.conversationId, original.senderId), body: original.body,
      deleted: Boolean(original.deletedAt) };
  }
  fetchQuoted(state.openId, seq);
  return { senderName: 'An earlier message', body: '', deleted: false };
}

async function fetchQuoted(id, seq) {
  if (state.fetchingQuotes.has(seq)) return;
  state.fetchingQuotes.add(seq);
  try {
    const page = await api('GET', `/v1/conversations/${id}/messages?after=${seq - 1}&limit=1`);
    if (state.openId !== id || !page.messages.length || state.messages.has(seq)) return;
    state.messages.set(seq, page.messages[0]);
    renderQuotesOf(seq);
  } catch (error) {
    state.fetchingQuotes.delete(seq); // the next drawing of a reply tries again
  }
}

/** Draws again the shown replies to message `seq`, whose quote changed. */
function renderQuotesOf(seq) {
  for (const [replySeq, element] of state.shown) {
    const reply = state.messages.get(replySeq);
    if (reply && reply.replyTo === seq) renderMessage(element, reply);
  }
}

/**
 * A message as a change left it: shown again if it is newer than what is shown. `fromChangeFeed` (a
 * message_changed frame, or a changedAfter page) moves the open conversation's change position: every change up to
 * it has been applied. A message answered to an edit is no such proof, since changes before it may still be on
 * their way.
 */
function applyChange(message, fromChangeFeed) {
  if (message.conversationId !== state.openId) return;
  if (fromChangeFeed) state.lastChangeSeq = Math.max(state.lastChangeSeq, message.changeSeq);
  const known = state.messages.get(message.seq);
  if (!known || known.changeSeq >= message.changeSeq && !(message.deletedAt && !known.deletedAt)) return;
  state.messages.set(message.seq, message);
  const element = state.shown.get(message.seq);
  if (element) {
    if (message.deletedAt) endEdit(element);
    renderMessage(element, message);
  }
  renderQuotesOf(message.seq);
}

function receiveChange(message) {
  const conversation = state.conversations.get(message.conversationId);
  if (!conversation) return;
  conversation.lastChangeSeq = Math.max(conversation.lastChangeSeq || 0, message.changeSeq);
  if (message.conversationId === state.openId) {
    applyChange(message, true);
  } else if (message.editedAt || message.deletedAt) {
    scheduleRefresh(); // an edit or a delete may add or take away a mention of the reader
  }
}

/** Applies the changes of the open conversation after the last one applied (after a reconnect, a poll, opening). */
function catchUpChanges(id) {
  return pageThrough('catchingUpChanges', id, () => `changedAfter=${state.lastChangeSeq}`,
      (message) => applyChange(message, true));
}

/** After a change this page made: its frame brings it while live; otherwise ask. */
function changeMade(id) {
  if (!state.live || !state.live.live) catchUpChanges(id).catch(() => {});
}

function showMessageError(seq, error) {
  const element = state.shown.get(seq);
  if (!element) {
    $('history-status').textContent = describeError(error);
    return;
  }
  const words = document.createElement('span');
  words.className = 'delivery-text';
  words.setAttribute('role', 'alert');
  words.textContent = describeError(error);
  element.querySelector('.delivery').replaceChildren(words);
  setTimeout(() => {
    if (words.isConnected) words.remove();
  }, 6_000);
}

// ---------- replies, edits, deletes, reactions ----------

function startReply(seq) {
  const message = state.messages.get(seq);
  if (!message) return;
  state.replyTo = seq;
  $('reply-sender').textContent = memberName(message.conversationId, message.senderId);
  $('reply-excerpt').textContent = excerpt(message.body);
  $('reply-banner').hidden = false;
  $('composer-input').focus();
}

function cancelReply() {
  state.replyTo = null;
  $('reply-banner').hidden = true;
}

function startEdit(seq) {
  const element = state.shown.get(seq);
  const message = state.messages.get(seq);
  if (!element || !message || message.deletedAt || element.querySelector('.edit-form')) return;
  const form = document.createElement('form');
  form.className = 'edit-form';
  form.noValidate = true;
  const label = document.createElement('label');
  label.className = 'visually-hidden';
  label.htmlFor = `edit-${seq}`;
  label.textContent = 'Edit your message';
  const input = document.createElement('textarea');
  input.id = `edit-${seq}`;
  input.className = 'edit-input';
  input.rows = 2;
  input.maxLength = 4000;
  input.value = message.body;
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = 'Save';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'quiet';
  cancel.textContent = 'Cancel';
  const error = document.createElement('p');
  error.className = 'error';
  error.setAttribute('role', 'alert');
  form.append(label, input, save, ' ', cancel, error);
  element.querySelector('.body').hidden = true;
  element.querySelector('.actions').hidden = true;
  element.querySelector('.body').after(form);
  cancel.addEventListener('click', () => endEdit(element));
  input.addEventListener('keydown', (event) => {
    if (event.isComposing) return;
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      endEdit(element);
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = input.value;
    if (!body.trim()) {
      error.textContent = 'A message cannot be empty. Delete it instead.';
      return;
    }
    if (body === state.messages.get(seq).body) {
      endEdit(element);
      return;
    }
    const id = message.conversationId;
    save.disabled = true;
    try {
      const edited = await api('PATCH', `/v1/conversations/${id}/messages/${seq}`, { body });
      endEdit(element);
      applyChange(edited, false);
      changeMade(id);
    } catch (failure) {
      error.textContent = describeError(failure);
      save.disabled = false;
    }
  });
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}

function endEdit(element) {
  const form = element.querySelector('.edit-form');
  if (!form) return;
  const refocus = form.contains(document.activeElement);
  form.remove();
  element.querySelector('.body').hidden = false;
  element.querySelector('.actions').hidden = false;
  const edit = element.querySelector('.actions .edit');
  if (refocus && edit) edit.focus();
}

/** The first click asks, the second deletes; left alone, the button calms down again. */
async function confirmDelete(button, seq) {
  if (button.dataset.confirm !== 'yes') {
    button.dataset.confirm = 'yes';
    button.textContent = 'Delete for everyone?';
    button.classList.add('confirm');
    setTimeout(() => {
      if (!button.isConnected) return;
      delete button.dataset.confirm;
      button.textContent = 'Delete';
      button.classList.remove('confirm');
    }, CONFIRM_DELETE_MS);
    return;
  }
  const message = state.messages.get(seq);
  if (!message) return;
  button.disabled = true;
  try {
    await api('DELETE', `/v1/conversations/${message.conversationId}/messages/${seq}`);
    // Shown at once; the change's own frame (or the next catch-up) brings its changeSeq.
    applyChange({ ...message, body: '', deletedAt: new Date().toISOString(), mentions: [], reactions: [] }, false);
    changeMade(message.conversationId);
  } catch (error) {
    button.disabled = false;
    showMessageError(seq, error);
  }
}

async function react(seq, emoji, takeBack) {
  const message = state.messages.get(seq);
  if (!message) return;
  const path = `/v1/conversations/${message.conversationId}/messages/${seq}/reactions/${encodeURIComponent(emoji)}`;
  try {
    await api(takeBack ? 'DELETE' : 'PUT', path);
    changeMade(message.conversationId);
  } catch (error) {
    showMessageError(seq, error);
  }
}

function isNearBottom() {
  const log = $('messages');
  return log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX;
}

function scrollToBottom() {
  const log = $('messages');
  log.scrollTop = log.scrollHeight;
}

function markRead() {
  const conversation = state.conversations.get(state.openId);
  if (!conversation || document.visibilityState !== 'visible' || !isNearBottom()) return;
  const seq = state.lastSeq;
  if (seq <= conversation.readSeq) return;
  conversation.readSeq = seq;
  conversation.unread = 0;
  conversation.unreadMentions = 0;
  renderConversationList();
  const frame = { type: 'read', conversationId: conversation.id, seq };
  if (!state.live || !state.live.send(frame)) {
    api('POST', `/v1/conversations/${conversation.id}/read`, { seq }).catch(() => {
      conversation.readSeq = Math.min(conversation.readSeq, seq - 1); // try again with the next chance
    });
  }
}

function renderSeen() {
  const readers = state.readBy.get(state.openId);
  const names = [];
  if (readers && state.lastSeq > 0) {
    for (const [userId, seq] of readers) {
      if (userId !== state.me.id && seq >= state.lastSeq) names.push(memberName(state.openId, userId));
    }
  }
  $('seen').textContent = names.length ? `Seen by ${names.join(', ')}` : '';
}

// ---------- typing ----------

/** Tells the others this person is typing: over the live socket only, at most once every 3 s per conversation. */
function sayTyping() {
  const id = state.openId;
  if (!id || !$('composer-input').value.trim()) return;
  const now = Date.now();
  if (now - (state.typingSentAt.get(id) || 0) < TYPING_EVERY_MS) return;
  if (state.live && state.live.send({ type: 'typing', conversationId: id })) state.typingSentAt.set(id, now);
}

function receiveTyping(frame) {
  if (state.me && frame.userId === state.me.id) return;
  const previous = state.typists.get(frame.userId);
  if (previous) clearTimeout(previous.timer);
  const typist = { conversationId: frame.conversationId, timer: null };
  typist.timer = setTimeout(() => stoppedTyping(frame.userId, typist), TYPING_SHOWN_MS);
  state.typists.set(frame.userId, typist);
  renderTyping();
}

function stoppedTyping(userId, typist) {
  const current = state.typists.get(userId);
  if (!current || (typist && current !== typist)) return;
  clearTimeout(current.timer);
  state.typists.delete(userId);
  renderTyping();
}

function renderTyping() {
  const names = [];
  for (const [userId, typist] of state.typists) {
    if (typist.conversationId === state.openId) names.push(memberName(state.openId, userId));
  }
  let text = '';
  if (names.length === 1) text = `${names[0]} is typing…`;
  else if (names.length > 1) text = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are typing…`;
  if ($('typing').textContent !== text) $('typing').textContent = text;
}

// ---------- sending ----------

function sendFromComposer() {
  const input = $('composer-input');
  if (state.uploads.some((upload) => !upload.attachment && !upload.failed)) {
    $('attach-status').textContent = 'Wait until the files have uploaded, then send.';
    return;
  }
  const attachments = state.uploads.filter((upload) => upload.attachment).map((upload) => upload.attachment);
  // with files, a message needs no text: white space alone is sent as none
  const body = input.value.trim() || attachments.length === 0 ? input.value : '';
  if (!state.openId || (!body.trim() && attachments.length === 0)) return;
  input.value = '';
  clearUploads(false);
  state.mentions.close();
  const send = {
    clientMsgId: newUuid(),
    conversationId: state.openId,
    body,
    attachments,
    replyTo: state.replyTo,
    attempts: 0,
    timer: null,
    element: messageElement(true),
  };
  fillPending(send.element, { senderName: 'You', body, quoted: send.replyTo === null ? null : quoteOf(send.replyTo),
    attachments, fillAttachments: (list, files) => blobs.fill(list, files) });
  cancelReply();
  send.element.classList.add('pending');
  send.element.dataset.clientMsgId = send.clientMsgId;
  state.pending.set(send.clientMsgId, send);
  $('messages').append(send.element);
  scrollToBottom();
  attempt(send);
}

/** One try: over the socket when it is live, else REST; the same clientMsgId every time, so never twice stored. */
function attempt(send) {
  settleTimers(send);
  showDelivery(send, 'Sending…');
  send.attempts += 1;
  const frame = { type: 'send', conversationId: send.conversationId, clientMsgId: send.clientMsgId, body: send.body };
  if (send.replyTo !== null) frame.replyTo = send.replyTo;
  if (send.attachments.length > 0) frame.attachments = send.attachments.map((a) => a.id);
  if (state.live && state.live.send(frame)) {
    send.timer = setTimeout(() => attemptOverRest(send), ACK_TIMEOUT_MS); // no ack: the socket may be dead
    return;
  }
  attemptOverRest(send);
}

async function attemptOverRest(send) {
  settleTimers(send);
  try {
    const body = { clientMsgId: send.clientMsgId, body: send.body };
    if (send.replyTo !== null) body.replyTo = send.replyTo;
    if (send.attachments.length > 0) body.attachments = send.attachments.map((a) => a.id);
    const message = await api('POST', `/v1/conversations/${send.conversationId}/messages`, body);
    acknowledged(message);
  } catch (error) {
    failed(send, error);
  }
}

function acknowledged(message) {
  const send = state.pending.get(message.clientMsgId);
  if (message.conversationId === state.openId) {
    showMessage(message);
  } else if (send) {
    settle(send);
  }
  const conversation = state.conversations.get(message.conversationId);
  if (conversation) {
    conversation.lastSeq = Math.max(conversation.lastSeq, message.seq);
    state.order = [conversation.id, ...state.order.filter((id) => id !== conversation.id)];
    renderConversationList();
  }
}

function failed(send, error) {
  if (!state.pending.has(send.clientMsgId)) return;
  settleTimers(send); // an error frame arrives while the ack deadline still runs
  send.element.classList.add('failed');
  if (error.retryable && send.attempts <= AUTO_RETRIES) {
    let secondsLeft = waitSeconds(error);
    const tick = () => {
      if (secondsLeft <= 0) {
        attempt(send);
        return;
      }
      showDelivery(send, describeError(error, { secondsLeft }), true);
      secondsLeft -= 1;
      send.timer = setTimeout(tick, 1000);
    };
    tick();
    return;
  }
  const advice = error.retryable ? `${describeError(error, { secondsLeft: 0 }).replace(' Trying again now.', '')} Not sent.`
    : `${describeError(error)} Not sent.`;
  showDelivery(send, advice, true);
}

function showDelivery(send, text, failedNow = false) {
  const delivery = send.element.querySelector('.delivery');
  const words = document.createElement('span');
  words.className = 'delivery-text';
  words.setAttribute('role', failedNow ? 'alert' : 'status');
  words.textContent = text;
  const parts = [words];
  if (failedNow) {
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'retry';
    retry.textContent = 'Retry now';
    retry.addEventListener('click', () => {
      send.attempts = 0;
      attempt(send);
    });
    const discard = document.createElement('button');
    discard.type = 'button';
    discard.className = 'discard quiet';
    discard.textContent = 'Discard';
    discard.addEventListener('click', () => {
      settle(send);
      send.element.remove();
    });
    parts.push(' ', retry, ' ', discard);
  } else {
    send.element.classList.remove('failed');
  }
  delivery.replaceChildren(...parts);
}

// ---------- attaching files ----------

/** Starts uploading each file at once; the tray above the composer shows each one's progress. */
function attachFiles(files) {
  $('attach-status').textContent = '';
  for (const file of files) {
    const upload = { file, attachment: null, failed: false, element: uploadElement(file) };
    upload.element.querySelector('.upload-remove').addEventListener('click', () => {
      state.uploads = state.uploads.filter((other) => other !== upload);
      upload.element.remove();
      renderTray();
    });
    state.uploads.push(upload);
    $('attachment-tray').append(upload.element);
    const bar = upload.element.querySelector('progress');
    uploadFile(file, state.token, (fraction) => { bar.value = fraction; }).then((attachment) => {
      upload.attachment = attachment;
      upload.element.classList.add('uploaded');
      upload.element.querySelector('.upload-state').textContent = 'ready';
    }, (error) => {
      upload.failed = true;
      upload.element.classList.add('failed');
      upload.element.querySelector('.upload-state').textContent = uploadProblem(error);
    });
  }
  renderTray();
}

function uploadElement(file) {
  const item = document.createElement('li');
  item.className = 'upload';
  const name = document.createElement('span');
  name.className = 'upload-name';
  name.textContent = `${file.name} (${formatSize(file.size)})`;
  const bar = document.createElement('progress');
  bar.max = 1;
  bar.value = 0;
  bar.setAttribute('aria-label', `Uploading ${file.name}`);
  const status = document.createElement('span');
  status.className = 'upload-state';
  status.setAttribute('role', 'status');
  status.textContent = 'uploading…';
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'upload-remove quiet';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', `Remove ${file.name}`);
  item.append(name, ' ', bar, ' ', status, ' ', remove);
  return item;
}

function uploadProblem(error) {
  if (error.code === 'attachment_too_large') return `Too large to send. ${error.message}.`;
  if (error.code === 'quota_exceeded') return 'Your files take up all the space you have. Not uploaded.';
  return `${describeError(error, { secondsLeft: 0 }).replace(' Trying again now.', '')} Not uploaded.`;
}

/** Empties the tray: after a send (the sent files go with the message), or on sign-out. */
function clearUploads(all) {
  state.uploads = all ? [] : state.uploads.filter((upload) => !upload.attachment && !upload.failed);
  $('attachment-tray').replaceChildren(...state.uploads.map((upload) => upload.element));
  $('attach-status').textContent = '';
  renderTray();
}

function renderTray() {
  $('attachment-tray').hidden = state.uploads.length === 0;
}

function settleTimers(send) {
  clearTimeout(send.timer);
  send.timer = null;
}

function settle(send) {
  settleTimers(send);
  state.pending.delete(send.clientMsgId);
}

// ---------- stream frames ----------

const STATUS_OF_CODE = { rate_limited: 429, overloaded: 503, unavailable: 503, internal_error: 500 };

function handleFrame(frame) {
  switch (frame.type) {
    case 'message':
      receiveMessage(frame.message);
      break;
    case 'message_changed':
      receiveChange(frame.message);
      break;
    case 'read':
      receiveRead(frame);
      break;
    case 'conversation':
      receiveConversation(frame.conversation);
      break;
    case 'typing':
      receiveTyping(frame);
      break;
    case 'presence':
      receivePresence(frame);
      break;
    case 'ack':
      serverStateChanged('ok'); // a stored message: the database answers
      acknowledged(frame.message);
      break;
    case 'error': {
      const send = state.pending.get(frame.clientMsgId);
      const error = frame.error || {};
      if (error.code === 'unavailable') serverStateChanged('unavailable');
      if (send) {
        failed(send, new ApiError(STATUS_OF_CODE[error.code] || 400, error.code, error.message, error.field,
            error.retryAfter ?? null));
      }
      break;
    }
    default:
      break; // a frame type newer than this page
  }
}

function receiveMessage(message) {
  stoppedTyping(message.senderId); // the message they were typing has come
  const conversation = state.conversations.get(message.conversationId);
  if (!conversation) {
    scheduleRefresh();
    return;
  }
  if (message.conversationId === state.openId) {
    if (message.seq > state.lastSeq + 1 && state.historyLoaded) {
      catchUp(state.openId).catch(() => {}); // a gap: read it from the table rather than guess
    } else {
      showMessage(message);
      markRead();
    }
  } else if (message.seq > conversation.lastSeq && message.senderId !== state.me.id) {
    conversation.unread += 1;
    if ((message.mentions || []).includes(state.me.id)) {
      conversation.unreadMentions = (conversation.unreadMentions || 0) + 1;
    }
  }
  conversation.lastSeq = Math.max(conversation.lastSeq, message.seq);
  state.order = [conversation.id, ...state.order.filter((id) => id !== conversation.id)];
  renderConversationList();
}

function receiveRead(frame) {
  const conversation = state.conversations.get(frame.conversationId);
  if (!conversation) return;
  if (frame.userId === state.me.id) {
    conversation.readSeq = Math.max(conversation.readSeq, frame.seq);
    if (conversation.readSeq >= conversation.lastSeq) {
      conversation.unread = 0;
      renderConversationList();
    } else {
      scheduleRefresh(); // read on another device; the server knows the exact count
    }
    return;
  }
  const readers = state.readBy.get(frame.conversationId) || new Map();
  readers.set(frame.userId, Math.max(readers.get(frame.userId) || 0, frame.seq));
  state.readBy.set(frame.conversationId, readers);
  if (frame.conversationId === state.openId) renderSeen();
}

/** The user came online or went offline: every conversation's member object of theirs says so now. */
function receivePresence(frame) {
  let shown = false;
  for (const conversation of state.conversations.values()) {
    const member = conversation.members.find((m) => m.id === frame.userId);
    if (member) {
      member.online = frame.online;
      member.lastSeenAt = frame.lastSeenAt;
      shown = shown || conversation.id === state.openId;
    }
  }
  renderConversationList();
  if (shown) renderConversationHeader();
}

function receiveConversation(conversation) {
  if (!conversation.members.some((member) => member.id === state.me.id)) {
    forgetConversation(conversation.id);
    return;
  }
  upsertConversation(conversation, !state.conversations.has(conversation.id));
}

boot();
