// One scenario of the real socket.io-client (4.8) against the server under test. Usage:
//   node scenario.js <scenario> <base url, e.g. http://127.0.0.1:5000>
// Prints one line per step ("step <what>") and exits 0 when the scenario completed, 1 with "FAIL <why>" otherwise.
// The C# tests (tests/SpinPet.SocketIO.Tests/Node) run it and check both its output and the server's state.
"use strict";
const { io } = require("socket.io-client");
const { step, done, fail, expectEqual, giveUpAfter } = require("./steps");

const [scenario, base] = process.argv.slice(2);
giveUpAfter(20000);

function connect(namespace, options) {
  const socket = io(base + namespace, { reconnection: false, timeout: 10000, ...options });
  socket.on("connect_error", (err) => fail("connect_error " + err.message));
  // Listened for from the start: it follows the CONNECT reply at once.
  socket.greeting = new Promise((resolve) => socket.once("connection_success", resolve));
  return socket;
}

// connection_success, an emit echoed back as an event, an emit answered by an ack, and a shared spliced event.
async function exchange(socket) {
  const greeting = await socket.greeting;
  expectEqual(typeof greeting.client_id, "string", "connection_success.client_id");
  step("connection_success " + greeting.client_id);

  const echoed = new Promise((resolve) => socket.once("echo", resolve));
  socket.emit("echo", { symbol: "abc", limit: 3 });
  expectEqual(await echoed, { symbol: "abc", limit: 3 }, "echo event");
  step("echo event");

  const acked = await socket.timeout(10000).emitWithAck("echo", { with: "ack", n: 1 });
  expectEqual(acked, { with: "ack", n: 1 }, "echo ack");
  step("echo ack");

  const pushed = new Promise((resolve) => socket.once("kline_data", resolve));
  socket.emit("subscribe", { subscription_id: "sub_7" });
  expectEqual(await pushed, { symbol: "S", subscription_id: "sub_7", data: { close: 1.5 } }, "spliced kline_data");
  step("spliced kline_data");

  const error = new Promise((resolve) => socket.once("error", resolve));
  socket.emit("echo", "not an object");
  expectEqual(await error, { code: 1001, message: "argument must be an object" }, "error for a bad argument");
  step("error 1001");
}

const scenarios = {
  async websocket() {
    const socket = connect("/kline", { transports: ["websocket"] });
    await exchange(socket);
    expectEqual(socket.io.engine.transport.name, "websocket", "transport");
    step("transport websocket");
    socket.disconnect();
  },

  async polling() {
    const socket = connect("/kline", { transports: ["polling"] });
    await exchange(socket);
    expectEqual(socket.io.engine.transport.name, "polling", "transport");
    step("transport polling");
    socket.disconnect();
  },

  async upgrade() {
    const socket = connect("/kline", {});
    // The manager's "open" comes with the Engine.IO handshake, before any upgrade.
    const opened = new Promise((resolve) => socket.io.once("open", () => resolve(socket.io.engine.transport.name)));
    const upgraded = new Promise((resolve) => socket.io.once("open", () => socket.io.engine.once("upgrade", (t) => resolve(t.name))));
    expectEqual(await opened, "polling", "first transport");
    step("opened over polling");
    expectEqual(await upgraded, "websocket", "upgraded transport");
    step("upgraded to websocket");
    await exchange(socket);
    expectEqual(socket.io.engine.transport.name, "websocket", "transport");
    step("exchange over websocket");
    socket.disconnect();
  },

  // Short pingInterval on the server: the client must see pings and stay connected through several of them.
  async heartbeat() {
    const socket = connect("/kline", { transports: [process.env.TRANSPORT || "websocket"] });
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.on("disconnect", (reason) => fail("disconnected: " + reason));
    let pings = 0;
    await new Promise((resolve) => socket.io.engine.on("ping", () => { if (++pings === 4) resolve(); }));
    step("4 pings answered");
    const acked = await socket.timeout(10000).emitWithAck("echo", { alive: true });
    expectEqual(acked, { alive: true }, "ack after pings");
    step("alive");
    socket.off("disconnect");
    socket.disconnect();
  },

  // The server drops the session (no DISCONNECT packet): the client reconnects on its own with a new session.
  async reconnect() {
    const socket = io(base + "/kline", {
      transports: [process.env.TRANSPORT || "websocket"], reconnectionDelay: 100, reconnectionDelayMax: 200, timeout: 10000,
    });
    await new Promise((resolve) => socket.once("connection_success", resolve));
    const firstSession = socket.io.engine.id;
    step("connected " + firstSession);
    const dropped = new Promise((resolve) => socket.once("disconnect", resolve));
    socket.emit("drop");
    step("disconnect reason " + (await dropped));
    await new Promise((resolve) => socket.once("connection_success", resolve));
    if (socket.io.engine.id === firstSession) {
      fail("reconnected into the same session");
    }
    step("reconnected " + socket.io.engine.id);
    const acked = await socket.timeout(10000).emitWithAck("echo", { again: true });
    expectEqual(acked, { again: true }, "ack after reconnect");
    step("echo after reconnect");
    socket.disconnect();
  },

  async "wrong-namespace"() {
    const socket = io(base + "/other", { transports: ["websocket"], reconnection: false });
    const error = await new Promise((resolve) => socket.once("connect_error", resolve));
    expectEqual(error.message, "Invalid namespace", "connect_error message");
    step("connect_error Invalid namespace");
    socket.close();
  },

  // The server ends the namespace connection with DISCONNECT: reason "io server disconnect", no reconnection.
  async "server-disconnect"() {
    const socket = connect("/kline", { transports: ["websocket"] });
    await new Promise((resolve) => socket.once("connection_success", resolve));
    const reason = new Promise((resolve) => socket.once("disconnect", resolve));
    socket.emit("leave");
    expectEqual(await reason, "io server disconnect", "disconnect reason");
    step("io server disconnect");
    socket.io.engine.close();
  },
};

const run = scenarios[scenario];
if (!run) {
  fail("unknown scenario " + scenario);
}
run().then(done, (err) => fail(err && err.stack ? err.stack : String(err)));
