// Test helper for KlineSocketCompressionTests: a `ws` client with permessage-deflate on and a threshold of 0, so
// that its requests go compressed too. Prints the negotiated extensions, subscribes, and exits 0 after history_data
// and COUNT kline_data messages (1 on an error message or an early close).
//
//   NODE_PATH=examples/js/node_modules node deflate-client.js <ws url> <mint> <interval> <count>
const WebSocket = require('ws');

const [url, mint, interval, countText] = process.argv.slice(2);
const count = Number.parseInt(countText, 10);
let updates = 0;
let history = false;

const socket = new WebSocket(url, { perMessageDeflate: { threshold: 0 } });
socket.on('upgrade', (response) => {
    console.log('extensions:', response.headers['sec-websocket-extensions'] || '(none)');
});
socket.on('message', (data, isBinary) => {
    const message = JSON.parse(data.toString());
    switch (message.type) {
        case 'connection_success':
            socket.send(JSON.stringify({ msg_type: 'subscribe', symbol: mint, interval, subscription_id: 'node_1' }));
            break;
        case 'history_data':
            history = true;
            console.log('history_data:', message.data.symbol, message.data.interval, message.data.data.length);
            break;
        case 'kline_data':
            if (updates >= count) {
                break; // still arriving while the close handshake runs
            }
            console.log('kline_data:', message.data.symbol, message.data.interval, message.data.subscription_id,
                message.data.data.time, message.data.data.update_type);
            if (history && ++updates >= count) {
                socket.close(1000, 'done');
            }
            break;
        case 'error':
            console.error('error:', message.code, message.message);
            process.exit(1);
            break;
        default:
            break;
    }
});
socket.on('close', (code) => {
    console.log('closed:', code);
    process.exit(updates >= count ? 0 : 1);
});
socket.on('error', (error) => {
    console.error('socket error:', error.message);
    process.exit(1);
});
