// The live link to /v1/stream: reconnects with backoff, catches up after every (re)connect, and falls back to
// polling over REST while the socket is down or the server does not offer it.

const PING_EVERY_MS = 20_000;
const SILENCE_LIMIT_MS = 45_000;
const POLL_EVERY_MS = 3_000;
const MAX_BACKOFF_SECONDS = 30;
// Close code 1001: the node is going away (it drains before a restart); reconnecting is the plan, not an error.
const GOING_AWAY = 1001;
const GOING_AWAY_DELAY_MS = 500;
// A server that never answered an upgrade is probably one without the stream; check again now and then.
const PROBE_AGAIN_SECONDS = 30;

/**
 * Status values, for the page to show: 'connecting' (first attempt), 'live', 'reconnecting' (the socket was live
 * and dropped; polling meanwhile), 'polling' (no socket on this server, or it never opened), 'offline'.
 */
export class LiveConnection {
  constructor({ token, onFrame, onStatus, onCatchUp, onPoll, onRevoked }) {
    this.token = token;
    this.onFrame = onFrame;
    this.onStatus = onStatus;
    this.onCatchUp = onCatchUp;
    this.onPoll = onPoll;
    this.onRevoked = onRevoked;
    this.socket = null;
    this.status = null;
    this.everLive = false;
    this.failures = 0;
    this.stopped = false;
    this.pollTimer = null;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.lastFrameAt = 0;
    this.goOffline = () => this.handleOffline();
    this.goOnline = () => this.connectNow();
  }

  start() {
    window.addEventListener('offline', this.goOffline);
    window.addEventListener('online', this.goOnline);
    this.setStatus(navigator.onLine === false ? 'offline' : 'connecting');
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('offline', this.goOffline);
    window.removeEventListener('online', this.goOnline);
    clearTimeout(this.reconnectTimer);
    this.stopPolling();
    this.dropSocket();
  }

  get live() {
    return this.status === 'live';
  }

  /** Sends a frame when the socket is live; false tells the caller to use REST instead. */
  send(frame) {
    if (!this.live || !this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  connect() {
    if (this.stopped || this.socket) return;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}/v1/stream?access_token=${encodeURIComponent(this.token)}`;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch (e) {
      this.handleClose(1006);
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => {
      this.lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (frame.type === 'ready') {
        this.becameLive();
      } else if (frame.type !== 'pong') {
        this.onFrame(frame);
      }
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.handleClose(event.code);
    };
  }

  becameLive() {
    this.everLive = true;
    this.failures = 0;
    this.stopPolling();
    this.setStatus('live');
    this.startPinging();
    this.onCatchUp();
  }

  handleClose(code) {
    this.dropSocket();
    if (this.stopped) return;
    if (code === 4001) {
      this.stop();
      this.onRevoked();
      return;
    }
    if (code === GOING_AWAY && this.everLive) {
      // The node stops and asked us to go elsewhere: not a failure. Reconnect soon (the balancer picks another
      // node), spread over a moment so that a node's clients do not all arrive at once; the catch-up on 'ready'
      // fetches what came meanwhile.
      this.setStatus('reconnecting');
      this.startPolling();
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => this.connect(), GOING_AWAY_DELAY_MS * (0.5 + Math.random()));
      return;
    }
    this.failures += 1;
    if (navigator.onLine === false) {
      this.setStatus('offline');
    } else {
      this.setStatus(this.everLive ? 'reconnecting' : 'polling');
    }
    this.startPolling();
    const seconds = this.everLive
      ? Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.min(this.failures - 1, 5)) * (0.75 + Math.random() / 2)
      : PROBE_AGAIN_SECONDS;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), seconds * 1000);
  }

  handleOffline() {
    if (this.socket) {
      this.handleClose(1006);
    } else {
      this.setStatus('offline');
    }
  }

  connectNow() {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    if (!this.socket) {
      this.setStatus(this.everLive ? 'reconnecting' : 'connecting');
      this.connect();
    }
  }

  // A socket whose network went away can stay "open" for minutes; a ping that gets no answer reveals it.
  startPinging() {
    clearInterval(this.pingTimer);
    this.lastFrameAt = Date.now();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastFrameAt > SILENCE_LIMIT_MS) {
        this.handleClose(1006);
        return;
      }
      this.send({ type: 'ping' });
    }, PING_EVERY_MS);
  }

  dropSocket() {
    clearInterval(this.pingTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      try {
        socket.close();
      } catch (e) {
        // already closed
      }
    }
  }

  startPolling() {
    if (this.pollTimer) return;
    this.onPoll();
    this.pollTimer = setInterval(() => this.onPoll(), POLL_EVERY_MS);
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.onStatus(status);
  }
}
