// Talks to Courier's /v1 API and turns the contract's errors into sentences a person understands.

/** A failed request: the contract's error code, its HTTP status and, for 429/503, the wait in seconds. */
export class ApiError extends Error {
  constructor(status, code, message, field, retryAfterSeconds) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Whether sending the same request again later may succeed (the network, a limit or an outage). */
  get retryable() {
    return this.code === 'network' || this.status === 429 || this.status === 503 || this.status === 502
        || this.status === 504;
  }
}

const DEFAULT_WAIT_SECONDS = 2;

const serverStateListeners = new Set();

/**
 * Calls `listener('unavailable')` when a request finds the server unable to reach its database, and
 * `listener('ok')` when a request succeeds: an open socket alone does not say that the server can store anything.
 */
export function onServerState(listener) {
  serverStateListeners.add(listener);
  return () => serverStateListeners.delete(listener);
}

function reportServerState(serverState) {
  serverStateListeners.forEach((listener) => listener(serverState));
}

/**
 * Sends one request; resolves with the parsed JSON body (or null for an empty body), rejects with ApiError.
 * A request that never reaches the server rejects with code "network".
 */
export async function request(method, path, { token, body, accept } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (accept) headers.Accept = accept;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'the request did not reach the server', null, DEFAULT_WAIT_SECONDS);
  }
  if (response.ok) {
    reportServerState('ok');
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    return type.includes('json') ? response.json() : response.text();
  }
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  let error = {};
  try {
    error = (await response.json()).error || {};
  } catch (e) {
    // a proxy's HTML page or an empty body: the status alone has to do
  }
  if (error.code === 'unavailable') reportServerState('unavailable');
  throw new ApiError(response.status, error.code || `http_${response.status}`, error.message, error.field,
      retryAfter);
}

function parseRetryAfter(value) {
  if (!value) return null;
  const seconds = Number.parseInt(value, 10);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : null;
}

/** Seconds to wait before retrying after this error: the server's Retry-After, or a short default. */
export function waitSeconds(error) {
  return error.retryAfterSeconds ?? DEFAULT_WAIT_SECONDS;
}

/** One sentence for a person, without codes, SQL or stack traces (the server never sends those anyway). */
export function describeError(error, { secondsLeft } = {}) {
  if (!(error instanceof ApiError)) return 'Something went wrong in this page. Reload it and try again.';
  const wait = secondsLeft ?? waitSeconds(error);
  const tryAgain = wait > 0 ? ` Try again in ${wait} s.` : ' Trying again now.';
  switch (error.code) {
    case 'network':
      return `Courier cannot be reached. Check your connection.${tryAgain}`;
    case 'rate_limited':
      return `You are going a little fast.${tryAgain}`;
    case 'overloaded':
      return `Courier is very busy right now.${tryAgain}`;
    case 'unavailable':
      return `Courier cannot reach its database right now.${tryAgain}`;
    case 'unauthorized':
      return 'Your session has ended. Please sign in again.';
    case 'invalid_credentials':
      return 'That username and password do not match an account.';
    case 'username_taken':
      return 'That username is already taken. Pick another one.';
    case 'forbidden':
      return 'You are not allowed to do that.';
    case 'account_deactivated':
      return 'This account was deactivated by an operator. Contact them to have it reactivated.';
    case 'not_found':
      return 'That could not be found. It may have been removed, or you are no longer a member.';
    case 'payload_too_large':
      return 'That is too long to send.';
    case 'message_deleted':
      return 'That message was deleted.';
    case 'client_msg_id_reused':
      return 'This message clashes with one sent before. Copy its text and send it again.';
    case 'validation_failed':
    case 'malformed_json':
      return sentence(error.message) || 'Some of what you entered is not accepted.';
    case 'internal_error':
      return `Courier ran into a problem on its side. ${sentence(error.message)}`.trim();
    default:
      return error.status >= 500 ? `Courier is having trouble.${tryAgain}` : sentence(error.message)
          || 'That did not work.';
  }
}

function sentence(text) {
  if (!text) return '';
  const trimmed = String(text).trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** A version-4 UUID from the browser's cryptographic generator (crypto.randomUUID needs HTTPS; this does not). */
export function newUuid() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
