// The /ws connection (docs/protocol.md): one socket, one topic at a time, reconnected for ever with capped,
// jittered back-off. After every (re)connect it subscribes again, and the server answers history_data →
// subscription_confirmed → kline_data. After a drop it subscribes with `resume` (the topic's position, below): the
// server then sends only what changed since (`recovered:true`), on this node or any other of a cluster. When it
// cannot (`recovered:false`: another epoch, too much changed) the history is the ordinary one and the page refills
// over REST whatever it does not reach back to, so a reconnect leaves no gap either way.

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;
// The server's pings are answered by the browser and invisible here; an application ping shows us that the
// server is still there (a half-open connection otherwise looks alive for minutes).
const PING_EVERY_MS = 15000;
const PONG_TIMEOUT_MS = 10000;
const KEPT_RESUMES = 20;

/**
 * Events: `status` {state: 'connecting'|'live'|'reconnecting', attempt, retryInMs (while waiting to retry)},
 * `hello` (connection_success), `history` {symbol, interval, candles, hasMore, recovered (true|false after a
 * resume, else undefined), epoch, previousEpoch}, `candle` {symbol, interval, candle, subscriptionId},
 * `server-error` {code, message}; for the mint's event stream (setEvents): `trade-history` {symbol, events (oldest
 * first)}, `trade` {symbol, event, subscriptionId}.
 */
export class KlineFeed extends EventTarget {
  #url;
  #historyLimit;
  #socket = null;
  #topic = null;
  #subscriptionId = null;
  #nextId = 1;
  #attempt = 0;
  #retryTimer = 0;
  #pingTimer = 0;
  #pongTimer = 0;
  // Where the current topic's stream stands for us: every batch up to `seq` of `epoch` has reached the page
  // (protocol.md, "Which seq to resume from"). Null until the topic's first history; reset by a topic switch.
  #position = null;
  // The resumes this page asked for and how the server answered, newest last (for tests and the console).
  #resumes = [];
  // The event stream (protocol.md "The event stream of a mint"), on the same socket as the candles.
  #eventsMint = null;
  #eventsLimit = 50;
  #eventsSubscriptionId = null;

  constructor(url, historyLimit) {
    super();
    this.#url = url;
    this.#historyLimit = historyLimit;
  }

  /** The subscription id of the current topic: pushes with another id belong to an older subscription. */
  get subscriptionId() {
    return this.#subscriptionId;
  }

  /** The subscription id of the current event stream: events with another id belong to an older one. */
  get eventsSubscriptionId() {
    return this.#eventsSubscriptionId;
  }

  start() {
    this.#connect();
  }

  /** Every resume so far: {from: {epoch, seq}, recovered (null until answered), seq, epoch}, oldest first. */
  get resumes() {
    return this.#resumes.map((resume) => ({ ...resume, from: { ...resume.from } }));
  }

  /** Follows the trades of `mint` from now on (the newest `limit` first, then live), after every reconnect too. */
  setEvents(mint, limit) {
    const previous = this.#eventsMint;
    this.#eventsMint = mint;
    this.#eventsLimit = limit;
    if (this.#isOpen()) {
      if (previous) {
        this.#send({ msg_type: 'unsubscribe_events', symbol: previous });
      }
      this.#subscribeEvents();
    }
  }

  /** Follows `symbol`/`interval` from now on: unsubscribes the previous topic, subscribes this one. */
  setTopic(symbol, interval) {
    const previous = this.#topic;
    this.#topic = { symbol, interval };
    // A position belongs to one topic: another topic starts with the ordinary history.
    this.#position = null;
    if (this.#isOpen()) {
      if (previous) {
        this.#send({ msg_type: 'unsubscribe', symbol: previous.symbol, interval: previous.interval });
      }
      this.#subscribe();
    }
  }

  #connect() {
    // After a drop every attempt is a reconnect (#attempt counts them until the next confirmed subscription).
    this.#emit('status', { state: this.#attempt > 0 ? 'reconnecting' : 'connecting', attempt: this.#attempt });
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (socket !== this.#socket) {
        return;
      }
      this.#startPings();
      if (this.#topic) {
        this.#subscribe();
      }
      if (this.#eventsMint) {
        this.#subscribeEvents();
      }
    });
    socket.addEventListener('message', (event) => {
      if (socket === this.#socket) {
        this.#onMessage(event.data);
      }
    });
    socket.addEventListener('close', () => {
      if (socket === this.#socket) {
        this.#scheduleReconnect();
      }
    });
    // An error is always followed by close, which reconnects.
  }

  #scheduleReconnect() {
    this.#stopPings();
    this.#socket = null;
    const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#attempt);
    const retryInMs = Math.round(base * (0.75 + Math.random() * 0.5));
    this.#attempt += 1;
    this.#emit('status', { state: 'reconnecting', retryInMs, attempt: this.#attempt });
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#connect(), retryInMs);
  }

  #subscribe() {
    this.#subscriptionId = `sub_${this.#nextId++}`;
    const request = {
      msg_type: 'subscribe',
      symbol: this.#topic.symbol,
      interval: this.#topic.interval,
      subscription_id: this.#subscriptionId,
      limit: this.#historyLimit,
    };
    // An empty epoch (a server that had applied nothing yet) matches nothing: no point asking.
    if (this.#position?.epoch) {
      request.resume = { epoch: this.#position.epoch, seq: this.#position.seq };
      this.#resumes.push({ from: { ...request.resume }, recovered: null, seq: null, epoch: null });
      // One entry per reconnect; a page left open for weeks keeps the latest few.
      this.#resumes.splice(0, this.#resumes.length - KEPT_RESUMES);
    }
    this.#send(request);
  }

  #isCurrentTopic(data) {
    return data.symbol === this.#topic?.symbol && data.interval === this.#topic?.interval;
  }

  #subscribeEvents() {
    this.#eventsSubscriptionId = `events_${this.#nextId++}`;
    this.#send({
      msg_type: 'subscribe_events',
      symbol: this.#eventsMint,
      subscription_id: this.#eventsSubscriptionId,
      limit: this.#eventsLimit,
    });
  }

  #onMessage(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      console.warn('kline feed: not JSON', text);
      return;
    }
    const data = message.data;
    switch (message.type) {
      case 'connection_success':
        this.#emit('hello', message);
        break;
      case 'history_data': {
        const previousEpoch = this.#position?.epoch;
        if (this.#isCurrentTopic(data) && typeof data.seq === 'number') {
          // A snapshot (ordinary or recovered) reflects every batch up to its seq.
          this.#position = { epoch: data.epoch, seq: data.seq };
          const pending = this.#resumes.at(-1);
          if (pending && pending.recovered === null && typeof data.recovered === 'boolean') {
            Object.assign(pending, { recovered: data.recovered, seq: data.seq, epoch: data.epoch });
          }
        }
        this.#emit('history', {
          symbol: data.symbol,
          interval: data.interval,
          candles: data.data,
          hasMore: data.has_more,
          recovered: data.recovered,
          epoch: data.epoch,
          previousEpoch,
        });
        break;
      }
      case 'subscription_confirmed':
        if (data.subscription_id === this.#subscriptionId) {
          // Connected and following the topic: the next outage starts its back-off from the beginning.
          this.#attempt = 0;
          this.#emit('status', { state: 'live' });
        }
        break;
      case 'kline_data':
        if (data.subscription_id === this.#subscriptionId && data.epoch === this.#position?.epoch && typeof data.seq === 'number') {
          // One batch may change several candles of the topic and this push may be the first of them: it completes
          // only the batches before its own.
          this.#position.seq = Math.max(this.#position.seq, data.seq - 1);
        }
        this.#emit('candle', {
          symbol: data.symbol,
          interval: data.interval,
          candle: data.data,
          subscriptionId: data.subscription_id,
        });
        break;
      case 'history_event_data':
        this.#emit('trade-history', { symbol: data.symbol, events: data.data });
        break;
      case 'event_data':
        this.#emit('trade', { symbol: data.symbol, event: data.event, subscriptionId: data.subscription_id });
        break;
      case 'pong':
        clearTimeout(this.#pongTimer);
        break;
      case 'error':
        console.warn('kline feed: server error', message.code, message.message);
        this.#emit('server-error', { code: message.code, message: message.message });
        break;
      default:
        // unsubscribe_confirmed and anything newer servers add: nothing to do.
        break;
    }
  }

  #startPings() {
    this.#stopPings();
    this.#pingTimer = setInterval(() => {
      this.#send({ msg_type: 'ping' });
      clearTimeout(this.#pongTimer);
      this.#pongTimer = setTimeout(() => this.#socket?.close(4000, 'no pong'), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  #stopPings() {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
  }

  #isOpen() {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  #send(message) {
    if (this.#isOpen()) {
      this.#socket.send(JSON.stringify(message));
    }
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
