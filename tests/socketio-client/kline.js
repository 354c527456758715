// The earlier server's frontends against the real SpinPet server: socket.io-client 4.8 on namespace /kline, next to
// a raw /ws client on the same topic. Usage:
//   node kline.js <scenario> <base url, e.g. http://127.0.0.1:5000> <mint>
// Scenarios: live-websocket, live-polling (polling, then the upgrade), live-polling-only, errors, reconnect, garbage,
// events (the event stream beside /ws's).
// Prints one line per step ("step <what>") and exits 0 when the scenario completed, 1 with "FAIL <why>" otherwise.
// The C# end-to-end tests (tests/SpinPet.EndToEnd.Tests/SocketIO) run it while the chain trades.
"use strict";
const { io } = require("socket.io-client");
const { step, done, fail, expectEqual, giveUpAfter } = require("./steps");
const WebSocket = require("ws");

const [scenario, base, mint] = process.argv.slice(2);
const wsBase = base.replace(/^http/, "ws");
giveUpAfter(40000);

function expect(condition, what) {
  if (!condition) {
    fail(what);
  }
}

function connect(options) {
  const socket = io(base + "/kline", { reconnection: false, timeout: 10000, transports: ["websocket"], ...options });
  socket.on("connect_error", (err) => fail("connect_error " + err.message));
  // Listened for from the start: it follows the CONNECT reply at once.
  socket.greeting = new Promise((resolve) => socket.once("connection_success", resolve));
  return socket;
}

function next(socket, event) {
  return new Promise((resolve) => socket.once(event, resolve));
}

// A raw /ws client: its messages by type, and a promise per awaited type.
function openWs() {
  const ws = new WebSocket(wsBase + "/ws");
  ws.klines = [];
  ws.waiters = [];
  ws.on("message", (raw) => {
    const message = JSON.parse(raw.toString());
    if (message.type === "kline_data") {
      ws.klines.push(message.data);
    }
    ws.waiters = ws.waiters.filter((w) => !(w.type === message.type && (w.resolve(message), true)));
  });
  ws.on("error", (err) => fail("/ws " + err.message));
  ws.expect = (type) => new Promise((resolve) => ws.waiters.push({ type, resolve }));
  ws.opened = new Promise((resolve) => ws.once("open", resolve));
  return ws;
}

const key = (data) => `${data.data.time}/${data.data.update_count}/${data.data.is_final}`;
const withoutTimestamp = ({ timestamp, ...rest }) => rest;

function checkGreeting(greeting) {
  expect(typeof greeting.client_id === "string" && greeting.client_id.length > 0, "connection_success.client_id");
  expect(Number.isInteger(greeting.server_time) && Math.abs(greeting.server_time - Date.now() / 1000) < 600, "server_time in seconds");
  expect(!("type" in greeting), "connection_success has no type");
  expect(greeting.supported_symbols.includes(mint), "supported_symbols lists the trading mint");
  expect(greeting.supported_intervals.includes("s1"), "supported_intervals lists s1");
  step("connection_success");
}

function checkNewestFirst(history, what) {
  expect(history.symbol === mint && history.interval === "s1", what + " names the topic");
  expect(history.data.length > 0, what + " is not empty");
  for (let i = 1; i < history.data.length; i++) {
    expect(history.data[i - 1].time > history.data[i].time, `${what} is newest first: ${JSON.stringify(history.data.map((c) => c.time))}`);
  }
}

// Subscribe on both endpoints, compare history with /ws's, then the live kline_data of the same trades.
async function live(transports) {
  const ws = openWs();
  await ws.opened;
  const socket = connect({ transports });
  // The transport of the Engine.IO handshake; the upgrade may follow before the greeting arrives.
  const opened = new Promise((resolve) => socket.io.once("open", () => resolve(socket.io.engine.transport.name)));
  let upgraded = null;
  if (transports.length > 1) {
    upgraded = new Promise((resolve) => socket.io.once("open", () => socket.io.engine.once("upgrade", (t) => resolve(t.name))));
  }
  checkGreeting(await socket.greeting);
  step("opened over " + (await opened));

  const order = [];
  socket.onAny((event) => order.push(event));
  const history = next(socket, "history_data");
  const confirmed = next(socket, "subscription_confirmed");
  socket.emit("subscribe", { symbol: mint, interval: "s1", subscription_id: "sub_1", limit: 5 });
  const snapshot = await history;
  checkNewestFirst(snapshot, "subscribe's history_data");
  expect(snapshot.data.length <= 5, "the limit holds");
  expectEqual(withoutTimestamp(await confirmed), { symbol: mint, interval: "s1", subscription_id: "sub_1", success: true, message: "订阅成功" }, "subscription_confirmed");
  expectEqual(order.slice(0, 2), ["history_data", "subscription_confirmed"], "history before the confirmation");
  step("subscribed");

  // The same history request on both endpoints: the same candles, in opposite orders. Older than the snapshot's
  // oldest, so trading does not change them between the two reads (total_count may grow, so it is not compared).
  const request = { symbol: mint, interval: "s1", limit: 20, before: snapshot.data[snapshot.data.length - 1].time };
  const wsHistory = ws.expect("history_data");
  ws.send(JSON.stringify({ msg_type: "history", ...request }));
  const acked = await socket.timeout(10000).emitWithAck("history", request);
  checkNewestFirst(acked, "history (acknowledged)");
  const expected = (await wsHistory).data;
  const comparable = ({ symbol, interval, data, has_more }) => ({ symbol, interval, data, has_more });
  expectEqual(comparable(acked), comparable({ ...expected, data: [...expected.data].reverse() }), "history equals /ws's reversed");
  step("history newest first, equal to /ws");

  const wsConfirmed = ws.expect("subscription_confirmed");
  ws.send(JSON.stringify({ msg_type: "subscribe", symbol: mint, interval: "s1", subscription_id: "sub_1" }));
  await wsConfirmed;
  // Updates seen on both endpoints must be equal; three of them are enough.
  let matched = 0;
  await new Promise((resolve) => {
    socket.on("kline_data", (data) => {
      const same = ws.klines.find((w) => key(w) === key(data));
      if (same) {
        expectEqual(withoutTimestamp(data), withoutTimestamp(same), "kline_data equals /ws's for " + key(data));
        if (++matched === 3) {
          resolve();
        }
      }
    });
  });
  step("live kline_data equal to /ws");

  if (upgraded) {
    expectEqual(await upgraded, "websocket", "upgraded transport");
    expectEqual(socket.io.engine.transport.name, "websocket", "transport after the upgrade");
    step("upgraded to websocket");
  }

  // After unsubscribe_confirmed nothing of the subscription may be queued: the acknowledged history that follows
  // comes before any kline_data would.
  let late = 0;
  const unsubscribed = new Promise((resolve) => socket.once("unsubscribe_confirmed", (data) => {
    socket.on("kline_data", () => late++);
    resolve(data);
  }));
  socket.emit("unsubscribe", { symbol: mint, interval: "s1", subscription_id: "sub_1" });
  expectEqual(withoutTimestamp(await unsubscribed), { symbol: mint, interval: "s1", subscription_id: "sub_1", success: true }, "unsubscribe_confirmed");
  await socket.timeout(10000).emitWithAck("history", { symbol: mint, interval: "s1", limit: 1 });
  expectEqual(late, 0, "kline_data after unsubscribe_confirmed");
  step("unsubscribed");
  step("closing over " + socket.io.engine.transport.name);
  socket.close();
  ws.close();
  done();
}

async function expectError(socket, emit, code, what) {
  const error = next(socket, "error");
  emit();
  const answer = await error;
  expectEqual(answer.code, code, what + " code");
  expect(typeof answer.message === "string" && answer.message.length > 0, what + " message");
  step(`${what}: ${answer.code} ${answer.message}`);
}

async function errors() {
  const socket = connect();
  await socket.greeting;
  await expectError(socket, () => socket.emit("subscribe", { symbol: "test_mint_account", interval: "s1" }), 1001, "bad symbol");
  await expectError(socket, () => socket.emit("subscribe", { symbol: mint, interval: "h7" }), 1001, "bad interval");
  await expectError(socket, () => socket.emit("history", { symbol: mint, interval: "s1", limit: 0 }), 1001, "bad limit");
  await expectError(socket, () => socket.emit("history", { symbol: mint, interval: "s1", from: 1, before: 2 }), 1001, "from with before");
  await expectError(socket, () => socket.emit("subscribe", "garbage"), 1001, "a string payload");
  await expectError(socket, () => socket.emit("subscribe"), 1001, "no payload");
  await expectError(socket, () => socket.emit("subscribe", { symbol: mint, interval: "s1", subscription_id: "x".repeat(65) }), 1001, "long subscription_id");
  await expectError(socket, () => socket.emit("fly", {}), 1001, "unknown event");
  const acked = await socket.timeout(10000).emitWithAck("subscribe", { symbol: mint, interval: 7 });
  expectEqual(acked.code, 1001, "an error as the acknowledgement");
  step("error acknowledged: " + acked.message);
  const notSubscribed = next(socket, "unsubscribe_confirmed");
  socket.emit("unsubscribe", { symbol: mint, interval: "s1" });
  expectEqual((await notSubscribed).success, false, "unsubscribe without a subscription");
  step("unsubscribe without a subscription");
  const history = await socket.timeout(10000).emitWithAck("history", { symbol: mint, interval: "s1", limit: 3 });
  checkNewestFirst(history, "history after the errors");
  step("still served");

  const root = io(base + "/", { transports: ["websocket"], reconnection: false });
  await new Promise((resolve) => root.once("connect", resolve));
  step("/ connects");
  const other = io(base + "/other", { transports: ["websocket"], reconnection: false });
  const refused = await new Promise((resolve) => other.once("connect_error", resolve));
  step("/other refused: " + refused.message);
  done();
}

// The transport drops under the client: it reconnects on its own, greets again and subscribes again.
async function reconnect() {
  const socket = io(base + "/kline", { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 200, timeout: 10000 });
  let greetings = 0;
  socket.on("connection_success", () => greetings++);
  socket.on("connect", () => socket.emit("subscribe", { symbol: mint, interval: "s1", subscription_id: "again" }));
  await next(socket, "kline_data");
  const firstSession = socket.io.engine.id;
  step("live on " + firstSession);
  const reconnected = new Promise((resolve) => socket.io.once("reconnect", resolve));
  socket.io.engine.close();
  await reconnected;
  expect(socket.io.engine.id !== firstSession, "a new session after the reconnect");
  const history = await next(socket, "history_data");
  checkNewestFirst(history, "history after the reconnect");
  const data = await next(socket, "kline_data");
  expectEqual(data.subscription_id, "again", "kline_data after the reconnect");
  expect(greetings === 2, "greeted on each connection");
  step("live again on " + socket.io.engine.id);
  socket.close();
  done();
}

// Bad Engine.IO and Socket.IO packets by hand: errors or a closed session, never a crash.
async function garbage() {
  const refused = await fetch(base + "/socket.io/?EIO=3&transport=polling");
  expectEqual([refused.status, await refused.json()], [400, { code: 5, message: "Unsupported protocol version" }], "EIO=3");
  step("EIO=3 refused");
  const unknown = await fetch(base + "/socket.io/?EIO=4&transport=carrier-pigeon");
  expectEqual(unknown.status, 400, "unknown transport");
  step("unknown transport refused");

  const raw = new WebSocket(wsBase + "/socket.io/?EIO=4&transport=websocket");
  const frames = [];
  let wake = null;
  raw.on("message", (m) => { frames.push(m.toString()); if (wake) wake(); });
  const closed = new Promise((resolve) => raw.on("close", resolve));
  const frame = async (prefix) => {
    for (;;) {
      const i = frames.findIndex((f) => f.startsWith(prefix));
      if (i >= 0) {
        return frames.splice(i, 1)[0];
      }
      await new Promise((resolve) => { wake = resolve; });
    }
  };
  await new Promise((resolve) => raw.once("open", resolve));
  expect((await frame("0")).includes('"maxPayload":1048576'), "maxPayload 1 MiB");
  raw.send("40/kline,");
  await frame("40/kline,");
  await frame('42/kline,["connection_success"');
  step("raw connect");
  raw.send('42/kline,["subscribe","not an object"]');
  expect((await frame('42/kline,["error"')).includes('"code":1001'), "a string argument gets 1001");
  raw.send('42/kline,["history",{"symbol":');
  expect((await frame('42/kline,["error"')).includes('"code":1001'), "bad JSON gets 1001");
  raw.send("42/kline,{}");
  expect((await frame('42/kline,["error"')).includes('"code":1001'), "an event that is not an array gets 1001");
  step("bad Socket.IO packets answered with 1001");
  raw.send("9 no such Engine.IO packet");
  await closed;
  step("a bad Engine.IO packet closes the session");

  const socket = connect();
  await socket.greeting;
  step("a new client is served");
  done();
}

const eventKey = (event) => `${event.signature}/${event.event_index}`;

// The event stream on both endpoints: history newest first (/ws: oldest first), the confirmation, the live event_data
// equal to /ws's, errors, the acknowledgement and the unsubscribe.
async function events() {
  const ws = openWs();
  ws.events = [];
  ws.on("message", (raw) => {
    const message = JSON.parse(raw.toString());
    if (message.type === "event_data") {
      ws.events.push(message.data);
    }
  });
  await ws.opened;
  const socket = connect();
  await socket.greeting;

  const order = [];
  socket.onAny((event) => order.push(event));
  const history = next(socket, "history_event_data");
  const confirmed = next(socket, "subscription_confirmed");
  socket.emit("subscribe_events", { symbol: mint, subscription_id: "e1", limit: 5 });
  const snapshot = await history;
  expect(snapshot.symbol === mint && snapshot.data.length === 5 && snapshot.has_more === true, "history_event_data names the mint, holds 5 and has more");
  for (let i = 1; i < snapshot.data.length; i++) {
    const [a, b] = [snapshot.data[i - 1], snapshot.data[i]];
    expect(a.slot > b.slot || (a.slot === b.slot && (a.signature !== b.signature || a.event_index > b.event_index)),
      "history_event_data is newest first: " + JSON.stringify(snapshot.data.map((e) => e.slot)));
  }
  expect(snapshot.data.every((e) => e.mint_account === mint && typeof e.event_type === "string"), "items of GET /api/events");
  const confirmation = await confirmed;
  expectEqual(Object.keys(confirmation), ["symbol", "channel", "subscription_id", "success", "message", "seq", "epoch"], "subscription_confirmed's fields");
  expectEqual([confirmation.channel, confirmation.subscription_id, confirmation.seq], ["events", "e1", snapshot.seq], "subscription_confirmed");
  expectEqual(order.slice(0, 2), ["history_event_data", "subscription_confirmed"], "history before the confirmation");
  step("subscribed to events, history newest first");

  const wsConfirmed = ws.expect("subscription_confirmed");
  ws.send(JSON.stringify({ msg_type: "subscribe_events", symbol: mint, subscription_id: "e1", limit: 1 }));
  await wsConfirmed;
  // Events seen on both endpoints must be equal; three of them are enough.
  let matched = 0;
  await new Promise((resolve) => {
    socket.on("event_data", (data) => {
      const same = ws.events.find((w) => eventKey(w.event) === eventKey(data.event));
      if (same) {
        expectEqual(withoutTimestamp(data), withoutTimestamp(same), "event_data equals /ws's for " + eventKey(data.event));
        if (++matched === 3) {
          resolve();
        }
      }
    });
  });
  step("live event_data equal to /ws");

  await expectError(socket, () => socket.emit("subscribe_events", { symbol: mint, limit: 0 }), 1001, "events with a bad limit");
  await expectError(socket, () => socket.emit("subscribe_events", { symbol: "test_mint_account" }), 1001, "events of a bad symbol");
  const acked = await socket.timeout(10000).emitWithAck("subscribe_events", { symbol: mint, subscription_id: "e2", limit: 1 });
  expectEqual([acked.channel, acked.subscription_id, acked.success], ["events", "e2", true], "subscribe_events acknowledged with the confirmation");
  step("subscribe_events acknowledged");

  let late = 0;
  const unsubscribed = new Promise((resolve) => socket.once("unsubscribe_confirmed", (data) => {
    socket.on("event_data", () => late++);
    resolve(data);
  }));
  socket.emit("unsubscribe_events", { symbol: mint, subscription_id: "e2" });
  expectEqual(withoutTimestamp(await unsubscribed), { symbol: mint, channel: "events", subscription_id: "e2", success: true }, "unsubscribe_confirmed");
  await socket.timeout(10000).emitWithAck("history", { symbol: mint, interval: "s1", limit: 1 });
  expectEqual(late, 0, "event_data after unsubscribe_confirmed");
  step("unsubscribed from events");
  socket.close();
  ws.close();
  done();
}

const scenarios = {
  "live-websocket": () => live(["websocket"]),
  "live-polling": () => live(["polling", "websocket"]),
  "live-polling-only": () => live(["polling"]),
  errors,
  reconnect,
  garbage,
  events,
};

if (!scenarios[scenario]) {
  fail("unknown scenario " + scenario);
}
scenarios[scenario]().catch((err) => fail(err.stack || String(err)));
