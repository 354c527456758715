using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace SpinPet.Solana.Rpc;

/// <summary>
/// JSON-RPC 2.0 over HTTP to a Solana node: the five methods of solana-rpc.md. Transient failures (timeouts,
/// connection errors, 429, 5xx, unparsable answers) are retried with capped exponential back-off and jitter,
/// honouring Retry-After; JSON-RPC error objects are returned to the caller as <see cref="RpcErrorException"/>.
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
    private long _nextId;

    public SolanaRpcClient(HttpClient http, Uri endpoint, string commitment, TimeSpan timeout, ILogger logger, RpcClientCounters counters, int maxAttempts = 8)
    {
        _http = http;
        _endpoint = endpoint;
        _commitment = commitment;
        _timeout = timeout;
        _maxAttempts = maxAttempts;
        _logger = logger;
        _counters = counters;
    }

    public Task<string?> GetHealthAsync(CancellationToken ct) =>
        CallAsync("getHealth", static (_, _) => { }, (object?)null, RpcJsonContext.Default.RpcResponseString, ct);

    public async Task<ulong> GetSlotAsync(CancellationToken ct) =>
        await CallAsync("getSlot", static (w, c) => { w.WriteStartObject(); w.WriteString("commitment", c); w.WriteEndObject(); },
            _commitment, RpcJsonContext.Default.RpcResponseUInt64, ct);

    /// <summary>Unix seconds of a slot's block; an <see cref="RpcErrorException"/> for a skipped or unknown slot.</summary>
    public async Task<long> GetBlockTimeAsync(ulong slot, CancellationToken ct) =>
        await CallAsync("getBlockTime", static (w, s) => w.WriteNumberValue(s), slot, RpcJsonContext.Default.RpcResponseNullableInt64, ct)
        ?? throw new RpcErrorException("getBlockTime", -32004, $"no block time for slot {slot}");

    /// <summary>One page, newest first; <paramref name="before"/> and <paramref name="until"/> are exclusive.</summary>
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
        }, args, RpcJsonContext.Default.RpcResponseSignatureInfoArray, ct) ?? [];
    }

    /// <summary>The transaction, or null when the node does not (yet) have it.</summary>
    public Task<TransactionInfo?> GetTransactionAsync(string signature, CancellationToken ct) =>
        CallAsync("getTransaction", static (w, a) =>
        {
            w.WriteStringValue(a.signature);
            w.WriteStartObject();
            w.WriteString("encoding", "json");
            w.WriteString("commitment", a._commitment);
            w.WriteNumber("maxSupportedTransactionVersion", 0);
            w.WriteEndObject();
        }, (signature, _commitment), RpcJsonContext.Default.RpcResponseTransactionInfo, ct);

    private async Task<TResult?> CallAsync<TArg, TResult>(
        string method, Action<Utf8JsonWriter, TArg> writeParams, TArg arg, JsonTypeInfo<RpcResponse<TResult>> typeInfo, CancellationToken ct)
    {
        var body = BuildRequest(method, writeParams, arg);
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
        for (int attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            string failure;
            Exception? inner = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_timeout);
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await _http.PostAsync(_endpoint, content, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                    var parsed = TryParse(bytes, typeInfo);
                    if (parsed is null)
                    {
                        _counters.Garbage();
                        failure = "unparsable answer";
                    }
                    else if (parsed.Error is { } error)
                    {
                        throw new RpcErrorException(method, error.Code, error.Message ?? "");
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
                        _counters.RateLimited();
                    }
                    else
                    {
                        _counters.HttpError();
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
                _counters.Timeout();
                failure = $"timed out after {_timeout.TotalMilliseconds:0} ms";
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or System.Net.Sockets.SocketException)
            {
                // A reset can surface as any of the three depending on where the socket was when it broke
                // (connect, RemoteEndPoint lookup, body read); all are the same transient failure to us.
                _counters.ConnectionError();
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
            LogRetry(_logger, method, failure, attempt, (long)wait.TotalMilliseconds);
            await Task.Delay(wait, ct);
        }
    }

    private static RpcResponse<T>? TryParse<T>(byte[] bytes, JsonTypeInfo<RpcResponse<T>> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, typeInfo);
        }
        catch (JsonException)
        {
            return null;
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "RPC {Method} failed ({Failure}), attempt {Attempt}; retrying in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string method, string failure, int attempt, long delayMs);
}
