using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace SpinPet.Solana.Rpc;

/// <summary>
/// JSON-RPC 2.0 over HTTP to a Solana node: the three methods of solana-rpc.md that ingest uses
/// (getSignaturesForAddress, getTransaction, getBlockTime; the chain's slot comes from PubSub notifications).
/// Transient failures (timeouts, connection errors, 429, 5xx, unparsable, oversize or implausible answers: a block
/// time that breaks <see cref="BlockTimeRule"/>, a transaction without its meta or logs) are retried with capped
/// exponential back-off and jitter, honouring Retry-After, and logged at Warning at most once per 10 s per kind;
/// JSON-RPC error objects are returned to the caller as <see cref="RpcErrorException"/>.
/// </summary>
public sealed partial class SolanaRpcClient
{
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string _commitment;
    private readonly TimeSpan _timeout;
    private readonly int _maxAttempts;
    private readonly ILogger _logger;
    private readonly RpcClientCounters _counters;
    private readonly TimeProvider _time;
    private readonly LogThrottle _retryLog = new(TimeSpan.FromSeconds(10));
    private readonly LogThrottle _garbageLog = new(TimeSpan.FromSeconds(10));
    private long _nextId;

    /// <summary>
    /// Bound of one answer's body. The largest legitimate answer is a full getSignaturesForAddress page (1,000
    /// entries of ~250 bytes = ~250 KB; a getTransaction with its logs stays far below): 4 MiB is 16 times that,
    /// and a proxy or a hostile node cannot make us buffer more.
    /// </summary>
    public const int MaxResponseBytes = 4 << 20;

    /// <summary>
    /// Bound of one transaction's log lines, in characters, from either side (getTransaction, logs notifications). The
    /// runtime cuts a transaction's log at 10,000 bytes ("Log truncated"); 64 Ki characters leave six times that, and
    /// keep a batch of 512 transactions under ~64 MB however a node pads its answers.
    /// </summary>
    public const int MaxLogCharacters = 64 * 1024;

    /// <summary>The clock <see cref="BlockTimeRule"/> compares block times with.</summary>
    public TimeProvider Time => _time;

    public SolanaRpcClient(
        HttpClient http, Uri endpoint, string commitment, TimeSpan timeout, ILogger logger, RpcClientCounters counters, int maxAttempts = 8,
        TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _http = http;
        _endpoint = endpoint;
        _commitment = commitment;
        _timeout = timeout;
        _maxAttempts = maxAttempts;
        _logger = logger;
        _counters = counters;
    }

    /// <summary>
    /// Unix seconds of a slot's block, within <see cref="BlockTimeRule"/>; an <see cref="RpcErrorException"/> for a
    /// skipped or unknown slot.
    /// </summary>
    public async Task<long> GetBlockTimeAsync(ulong slot, CancellationToken ct) =>
        await CallAsync("getBlockTime", static (w, s) => w.WriteNumberValue(s), slot, RpcJsonContext.Default.RpcResponseNullableInt64, ct,
            check: time => time is { } value ? BlockTimeRule.Check(value, _time.GetUtcNow()) : null)
        ?? throw new RpcErrorException("getBlockTime", -32004, $"no block time for slot {slot}");

    /// <summary>
    /// One page, newest first; <paramref name="before"/> and <paramref name="until"/> are exclusive. Entries' block
    /// times are not checked here: the backfill uses one only when <c>getTransaction</c> has none, and checks it then.
    /// </summary>
    public async Task<SignatureInfo[]> GetSignaturesForAddressAsync(string address, int limit, string? before, string? until, CancellationToken ct)
    {
        var args = (address, limit, before, until, _commitment);
        return await CallAsync("getSignaturesForAddress", static (w, a) =>
        {
            w.WriteStringValue(a.address);
            w.WriteStartObject();
            w.WriteNumber("limit", a.limit);
            if (a.before is not null)
            {
                w.WriteString("before", a.before);
            }
            if (a.until is not null)
            {
                w.WriteString("until", a.until);
            }
            w.WriteString("commitment", a._commitment);
            w.WriteEndObject();
        }, args, RpcJsonContext.Default.RpcResponseSignatureInfoArray, ct, resultRequired: true,
            check: page => page?.Length > limit ? $"{page.Length} entries where at most {limit} were asked for" : null) ?? [];
    }

    /// <summary>
    /// The transaction, or null when the node does not (yet) have it. An answer is whole or not at all: it is for
    /// <paramref name="signature"/>, has its meta, its log messages unless it failed (a success without logs is not
    /// a transaction without events), and a plausible block time when it has one; anything less is retried.
    /// </summary>
    public Task<TransactionInfo?> GetTransactionAsync(string signature, CancellationToken ct) =>
        CallAsync("getTransaction", static (w, a) =>
        {
            w.WriteStringValue(a.signature);
            w.WriteStartObject();
            w.WriteString("encoding", "json");
            w.WriteString("commitment", a._commitment);
            w.WriteNumber("maxSupportedTransactionVersion", 0);
            w.WriteEndObject();
        }, (signature, _commitment), RpcJsonContext.Default.RpcResponseTransactionInfo, ct,
            check: transaction => transaction is null ? null : CheckTransaction(transaction, signature));

    private string? CheckTransaction(TransactionInfo transaction, string signature)
    {
        if (transaction.Transaction?.Signatures is not [var first, ..] || first != signature)
        {
            return "the transaction's first signature is not the one asked for";
        }
        if (transaction.Meta is not { } meta)
        {
            return "meta missing or null";
        }
        if (!meta.Failed && meta.LogMessages is null)
        {
            return "meta.logMessages missing or null";
        }
        if (meta.LogMessages is { } logs && LogCharacters(logs) > MaxLogCharacters)
        {
            return $"meta.logMessages longer than {MaxLogCharacters} characters (the runtime keeps 10,000 bytes)";
        }
        return transaction.BlockTime is { } time ? BlockTimeRule.Check(time, _time.GetUtcNow()) : null;
    }

    private async Task<TResult?> CallAsync<TArg, TResult>(
        string method, Action<Utf8JsonWriter, TArg> writeParams, TArg arg, JsonTypeInfo<RpcResponse<TResult>> typeInfo, CancellationToken ct,
        bool resultRequired = false, Func<TResult?, string?>? check = null)
    {
        var body = BuildRequest(method, writeParams, arg);
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
        for (int attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            string failure;
            bool garbage = false;
            Exception? inner = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_timeout);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                // Headers only: the body is read below under a size cap instead of being buffered whole by HttpClient.
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    var bytes = await ReadCappedAsync(response.Content, timeout.Token);
                    if (bytes is not { } answer)
                    {
                        _counters.Oversize.Add(1);
                        garbage = true;
                        failure = $"answer larger than {MaxResponseBytes} bytes, dropped unread";
                    }
                    else if (!TryParse(answer.Span, typeInfo, out var parsed, out var reason))
                    {
                        _counters.Garbage.Add(1);
                        garbage = true;
                        failure = "unusable answer: " + reason;
                    }
                    else if (parsed.Error is { } error)
                    {
                        throw new RpcErrorException(method, error.Code, error.Message ?? "");
                    }
                    else if (resultRequired && parsed.Result is null)
                    {
                        // A node always lists signatures as an array; taking a missing list for an empty page
                        // would end a backfill early.
                        _counters.Garbage.Add(1);
                        garbage = true;
                        failure = "unusable answer: result missing or null";
                    }
                    else if (check?.Invoke(parsed.Result) is { } implausible)
                    {
                        // Well-formed but unusable (a lying block time, a transaction without its logs): as useless as
                        // garbage, and as likely to be right on the next try (another replica, a healed node).
                        _counters.Garbage.Add(1);
                        garbage = true;
                        failure = "unusable answer: " + implausible;
                    }
                    else
                    {
                        return parsed.Result;
                    }
                }
                else
                {
                    var status = (int)response.StatusCode;
                    if (response.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        _counters.RateLimited.Add(1);
                    }
                    else
                    {
                        _counters.HttpErrors.Add(1);
                    }
                    if (status != 429 && status < 500)
                    {
                        // 4xx other than 429 will not get better by asking again (bad URL, bad key).
                        throw new RpcUnavailableException($"{method}: HTTP {status} from the RPC node");
                    }
                    retryAfter = RetryAfter(response.Headers.RetryAfter);
                    failure = $"HTTP {status}";
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                _counters.Timeouts.Add(1);
                failure = $"timed out after {_timeout.TotalMilliseconds:0} ms";
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or System.Net.Sockets.SocketException)
            {
                // A reset can surface as any of the three depending on where the socket was when it broke
                // (connect, RemoteEndPoint lookup, body read); all are the same transient failure to us.
                _counters.ConnectionErrors.Add(1);
                failure = ex.Message;
                inner = ex;
            }
            if (attempt >= _maxAttempts)
            {
                throw new RpcUnavailableException($"{method}: {failure} (gave up after {attempt} attempts)", inner);
            }
            var wait = backoff.Next();
            if (retryAfter is { } hinted && hinted > wait)
            {
                wait = hinted;
            }
            LogRetry(method, failure, attempt, wait, garbage);
            await Task.Delay(wait, ct);
        }
    }

    /// <summary>The characters of a transaction's log lines, counted up to just past <see cref="MaxLogCharacters"/>.</summary>
    public static int LogCharacters(IReadOnlyList<string> lines)
    {
        int total = 0;
        for (int i = 0; i < lines.Count && total <= MaxLogCharacters; i++)
        {
            total += lines[i].Length;
        }
        return total;
    }

    /// <summary>The body, or null when it is larger than <see cref="MaxResponseBytes"/> (the rest is left unread).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadCappedAsync(HttpContent content, CancellationToken ct)
    {
        long? length = content.Headers.ContentLength;
        if (length > MaxResponseBytes)
        {
            return null;
        }
        using var stream = await content.ReadAsStreamAsync(ct);
        using var copy = new MemoryStream((int)(length ?? 16 * 1024));
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, ct)) > 0)
            {
                if (copy.Length + read > MaxResponseBytes)
                {
                    // Disposing the response aborts the connection, so the rest is never transferred.
                    return null;
                }
                copy.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return new ReadOnlyMemory<byte>(copy.GetBuffer(), 0, (int)copy.Length);
    }

    private static bool TryParse<T>(ReadOnlySpan<byte> bytes, JsonTypeInfo<RpcResponse<T>> typeInfo,
        [NotNullWhen(true)] out RpcResponse<T>? parsed, out string reason)
    {
        try
        {
            parsed = JsonSerializer.Deserialize(bytes, typeInfo);
            reason = parsed is null ? "null instead of a response object" : "";
            return parsed is not null;
        }
        catch (JsonException ex)
        {
            // The message names the JSON path and position, never the content.
            parsed = null;
            reason = ex.Message;
            return false;
        }
    }

    /// <summary>One Warning per kind (transport, garbage) per 10 s carrying the count held back; the rest at Debug.</summary>
    private void LogRetry(string method, string failure, int attempt, TimeSpan wait, bool garbage)
    {
        var throttle = garbage ? _garbageLog : _retryLog;
        if (throttle.TryEnter(out long heldBack))
        {
            if (garbage)
            {
                LogGarbage(_logger, method, failure, attempt, (long)wait.TotalMilliseconds, heldBack);
            }
            else
            {
                LogRetryWarning(_logger, method, failure, attempt, (long)wait.TotalMilliseconds, heldBack);
            }
        }
        else
        {
            LogRetryDebug(_logger, method, failure, attempt, (long)wait.TotalMilliseconds);
        }
    }

    private byte[] BuildRequest<TArg>(string method, Action<Utf8JsonWriter, TArg> writeParams, TArg arg)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WriteNumber("id", Interlocked.Increment(ref _nextId));
            writer.WriteString("method", method);
            writer.WriteStartArray("params");
            writeParams(writer, arg);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            // A hostile or broken node must not park us for an hour.
            return delta > TimeSpan.FromSeconds(60) ? TimeSpan.FromSeconds(60) : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait <= TimeSpan.Zero ? null : wait > TimeSpan.FromSeconds(60) ? TimeSpan.FromSeconds(60) : wait;
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RPC {Method} failed ({Failure}), attempt {Attempt}; retrying in {DelayMs} ms ({HeldBack} more retries in the last 10 s logged at Debug only)")]
    private static partial void LogRetryWarning(ILogger logger, string method, string failure, int attempt, long delayMs, long heldBack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RPC {Method}: garbage from the node ({Failure}), counted; attempt {Attempt}, retrying in {DelayMs} ms ({HeldBack} more in the last 10 s logged at Debug only)")]
    private static partial void LogGarbage(ILogger logger, string method, string failure, int attempt, long delayMs, long heldBack);

    [LoggerMessage(Level = LogLevel.Debug, Message = "RPC {Method} failed ({Failure}), attempt {Attempt}; retrying in {DelayMs} ms")]
    private static partial void LogRetryDebug(ILogger logger, string method, string failure, int attempt, long delayMs);
}
