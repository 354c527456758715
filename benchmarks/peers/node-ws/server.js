'use strict';
// Peer (c): a minimal Node `ws` server. Accepts {"msg_type":"subscribe",...}, replies subscription_confirmed,
// and on POST /control/start?rate=R&seconds=S broadcasts the captured kline_data payload (our server's bytes,
// re-targeted per topic, timestamps set to the send time) round-robin over the subscribed topics.
// usage: node server.js --port P --payload kline_data.json
const http = require('http');
const fs = require('fs');
const { WebSocketServer } = require('ws');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(arg('--port', '5083'));
const template = fs.readFileSync(arg('--payload'), 'utf8').trim();
const parsed = JSON.parse(template);
const templateSymbol = parsed.data.symbol;
const templateInterval = parsed.data.interval;

const topics = new Map(); // "symbol|interval" -> Set<ws>
let run = null;

function pieces(topic) {
  const [symbol, interval] = topic.split('|');
  return template
    .split(`"symbol":"${templateSymbol}"`).join(`"symbol":"${symbol}"`)
    .split(`"interval":"${templateInterval}"`).join(`"interval":"${interval}"`)
    .split(/"timestamp":[0-9]+/);
}

function start(rate, seconds) {
  stop();
  const names = [...topics.keys()].sort();
  const parts = names.map(pieces);
  const state = { sent: 0, deliveries: 0, timer: null };
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + Math.min(seconds, 3600) * 1000;
  state.timer = setInterval(() => {
    if (Date.now() > deadline || names.length === 0) { clearInterval(state.timer); return; }
    const due = Math.floor(Number(process.hrtime.bigint() - t0) / 1e9 * rate);
    while (state.sent < due) {
      const i = state.sent % names.length;
      const payload = parts[i].join(`"timestamp":${Date.now()}`);
      const set = topics.get(names[i]);
      if (set) { for (const ws of set) { ws.send(payload); } state.deliveries += set.size; }
      state.sent++;
    }
  }, 1);
  run = state;
}

function stop() {
  if (!run) return { sent: 0, deliveries: 0 };
  clearInterval(run.timer);
  const result = { sent: run.sent, deliveries: run.deliveries };
  run = null;
  return result;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  if (req.method === 'POST' && url.pathname === '/control/start') {
    start(Number(url.searchParams.get('rate')), Number(url.searchParams.get('seconds')));
    res.end('{}');
  } else if (req.method === 'POST' && url.pathname === '/control/stop') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(stop()));
  } else {
    res.statusCode = 404;
    res.end();
  }
});
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
wss.on('connection', (ws) => {
  const mine = [];
  ws.on('message', (data) => {
    let msg;
    try { msg = JSON.parse(data); } catch { return; }
    if (msg.msg_type !== 'subscribe') return;
    const topic = `${msg.symbol}|${msg.interval}`;
    if (!topics.has(topic)) topics.set(topic, new Set());
    topics.get(topic).add(ws);
    mine.push(topic);
    ws.send(JSON.stringify({ type: 'subscription_confirmed', data: { symbol: msg.symbol, interval: msg.interval,
      subscription_id: msg.subscription_id ?? null, success: true, message: 'ok' }, timestamp: Date.now() }));
  });
  ws.on('close', () => { for (const t of mine) topics.get(t)?.delete(ws); });
  ws.on('error', () => {});
});
server.listen(port, '127.0.0.1', () => console.log(`Now listening on: http://127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));
