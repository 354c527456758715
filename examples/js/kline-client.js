// kline-client.js: the design document's browser client (kline-websocket-design.md, section 8.1) on Node with
// the `ws` package. Same message handling; the chart is a list of candles printed to the console; after a close
// it reconnects (the document's onclose comment) and subscribes again to everything it had.
//
//   node kline-client.js [url] [mint] [interval]
//   WS_URL=ws://localhost:8080/ws MINT=<mint> INTERVAL=m5 node kline-client.js
//
// Without a mint it subscribes to the first of connection_success.supported_symbols. MAX_UPDATES=N exits 0
// after N kline_data messages (for scripted runs); an error message exits 1 when MAX_UPDATES is set.
const WebSocket = require('ws');

const url = process.argv[2] || process.env.WS_URL || 'ws://localhost:8080/ws';
const mint = process.argv[3] || process.env.MINT || '';
const interval = process.argv[4] || process.env.INTERVAL || 'm5';
const maxUpdates = Number.parseInt(process.env.MAX_UPDATES || '0', 10);
const RECONNECT_DELAY_MS = 5000;

// Topics to (re)subscribe on every connection: "symbol|interval" -> subscription_id.
const subscriptions = new Map();
// The "chart": candles of the topic, oldest first, as history_data delivers them.
let candles = [];
let updates = 0;
let stopping = false;
let socket;

function connect() {
    // Connect to the WebSocket server (连接到 WebSocket 服务器)
    socket = new WebSocket(url);

    socket.on('open', () => {
        console.log('WebSocket connection established');
    });

    socket.on('message', (data) => {
        if (stopping) {
            return; // updates still arriving while the socket closes
        }
        const message = JSON.parse(data.toString());

        switch (message.type) {
            case 'connection_success':
                console.log('Connected:', message);
                if (subscriptions.size === 0) {
                    const symbol = mint || message.supported_symbols[0];
                    if (!symbol) {
                        console.error('No mint given and the server lists none yet; pass one as the second argument');
                        stop(1);
                        return;
                    }
                    subscriptions.set(`${symbol}|${interval}`, 'sub_1');
                }
                // Subscribe to the K-lines (订阅 K线数据), again after a reconnect.
                for (const [topic, subscriptionId] of subscriptions) {
                    const [symbol, name] = topic.split('|');
                    send({ msg_type: 'subscribe', symbol, interval: name, subscription_id: subscriptionId });
                }
                break;

            case 'history_data':
                console.log('History data:', message.data.symbol, message.data.interval,
                    message.data.data.length, 'candles, total', message.data.total_count);
                initChart(message.data.data);
                break;

            case 'kline_data':
                console.log('Real-time K-line:', message.data.symbol, message.data.interval,
                    message.data.subscription_id, format(message.data.data));
                updateChart(message.data.data);
                if (maxUpdates > 0 && ++updates >= maxUpdates) {
                    stop(0);
                }
                break;

            case 'subscription_confirmed':
                console.log('Subscription confirmed:', message.data);
                break;

            case 'unsubscribe_confirmed':
                console.log('Unsubscribe confirmed:', message.data);
                break;

            case 'error':
                console.error('Error:', message.code, message.message);
                if (maxUpdates > 0) {
                    stop(1);
                }
                break;

            default:
                console.log('Unknown message type:', message);
        }
    });

    socket.on('close', (code, reason) => {
        console.log('WebSocket connection closed:', code, reason.toString());
        if (stopping) {
            return;
        }
        // Reconnect (the document's onclose: "可以在这里实现重连逻辑").
        setTimeout(() => {
            console.log('Reconnecting...');
            connect();
        }, RECONNECT_DELAY_MS);
    });

    socket.on('error', (error) => {
        // A 'close' event follows, which schedules the reconnect.
        console.error('WebSocket error:', error.message);
    });
}

function send(request) {
    if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(request));
        return true;
    }
    return false;
}

// Subscribe to a topic (kept across reconnects).
function subscribeKline(symbol, name) {
    const subscriptionId = Date.now().toString();
    subscriptions.set(`${symbol}|${name}`, subscriptionId);
    send({ msg_type: 'subscribe', symbol, interval: name, subscription_id: subscriptionId });
}

// Unsubscribe (取消订阅).
function unsubscribeKline(symbol, name) {
    subscriptions.delete(`${symbol}|${name}`);
    send({ msg_type: 'unsubscribe', symbol, interval: name });
}

// Ask for history (获取历史数据); the answer is a history_data message.
function getHistory(symbol, name, limit = 100) {
    send({ msg_type: 'history', symbol, interval: name, limit });
}

function initChart(data) {
    candles = data.slice();
    if (candles.length > 0) {
        console.log('  newest:', format(candles[candles.length - 1]));
    }
}

function updateChart(candle) {
    // kline_data carries the full state of a candle: replace the newest one or append a newer one.
    const last = candles[candles.length - 1];
    if (last && last.time === candle.time) {
        candles[candles.length - 1] = candle;
    } else if (!last || candle.time > last.time) {
        candles.push(candle);
    }
}

function format(candle) {
    const time = new Date(candle.time * 1000).toISOString();
    return `${time} o=${candle.open} h=${candle.high} l=${candle.low} c=${candle.close} ` +
        `n=${candle.update_count} ${candle.is_final ? 'final' : 'open'}`;
}

function stop(code) {
    stopping = true;
    process.exitCode = code;
    if (socket) {
        socket.close(1000, 'bye');
    }
    // Do not wait on a peer that never answers the close.
    setTimeout(() => process.exit(), 2000).unref();
}

process.on('SIGINT', () => stop(0));

connect();
