using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SpinPet.Core.Chain;

namespace SpinPet.Solana.Ingest;

/// <summary>The <c>[solana]</c> section: which node, which program, how to follow it.</summary>
public sealed record SolanaOptions
{
    public const string Section = "solana";

    [ConfigurationKeyName("rpc_url")]
    public string RpcUrl { get; init; } = "http://127.0.0.1:8899";

    [ConfigurationKeyName("ws_url")]
    public string WsUrl { get; init; } = "ws://127.0.0.1:8900";

    [ConfigurationKeyName("program_id")]
    public string ProgramId { get; init; } = "JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ";

    [ConfigurationKeyName("commitment")]
    public string Commitment { get; init; } = "confirmed";

    [ConfigurationKeyName("price_scale_exponent")]
    public int PriceScaleExponent { get; init; } = 28;

    [ConfigurationKeyName("backfill_since_slot")]
    public ulong BackfillSinceSlot { get; init; }

    [ConfigurationKeyName("enable_event_listener")]
    public bool EnableEventListener { get; init; } = true;

    /// <summary>A PubSub socket silent this long (no frame, no pong) is dead.</summary>
    [ConfigurationKeyName("ws_idle_timeout_ms")]
    public int WsIdleTimeoutMs { get; init; } = 30_000;

    [ConfigurationKeyName("rpc_timeout_ms")]
    public int RpcTimeoutMs { get; init; } = 10_000;

    /// <summary>How many getTransaction calls backfill keeps in flight.</summary>
    [ConfigurationKeyName("rpc_max_concurrency")]
    public int RpcMaxConcurrency { get; init; } = 8;

    /// <summary>Bound of the live notification queue between the socket reader and the applier.</summary>
    [ConfigurationKeyName("live_queue_capacity")]
    public int LiveQueueCapacity { get; init; } = 20_000;

    public PublicKey ProgramKey => PublicKey.Parse(ProgramId);

    public Uri RpcUri => new(RpcUrl);

    public Uri WsUri => new(WsUrl);
}

/// <summary>Start-up validation: every message names the key, so a bad value is fixed in one go.</summary>
public sealed class SolanaOptionsValidator : IValidateOptions<SolanaOptions>
{
    public ValidateOptionsResult Validate(string? name, SolanaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Uri.TryCreate(options.RpcUrl, UriKind.Absolute, out var rpc) || rpc.Scheme is not ("http" or "https"))
        {
            failures.Add($"solana.rpc_url: '{Redact(options.RpcUrl)}' is not an http(s) URL");
        }
        if (!Uri.TryCreate(options.WsUrl, UriKind.Absolute, out var ws) || ws.Scheme is not ("ws" or "wss"))
        {
            failures.Add($"solana.ws_url: '{Redact(options.WsUrl)}' is not a ws(s) URL");
        }
        if (!PublicKey.TryParse(options.ProgramId, out _))
        {
            failures.Add($"solana.program_id: '{options.ProgramId}' is not a Solana address (base58 of 32 bytes)");
        }
        switch (options.Commitment)
        {
            case "confirmed" or "finalized":
                break;
            case "processed":
                failures.Add("solana.commitment: 'processed' is refused (the server does not handle rollbacks); use confirmed or finalized");
                break;
            default:
                failures.Add($"solana.commitment: '{options.Commitment}' must be confirmed or finalized");
                break;
        }
        if (options.PriceScaleExponent is < 0 or > 38)
        {
            failures.Add($"solana.price_scale_exponent: {options.PriceScaleExponent} is out of range 0..38");
        }
        if (options.WsIdleTimeoutMs < 1000)
        {
            failures.Add($"solana.ws_idle_timeout_ms: {options.WsIdleTimeoutMs} must be at least 1000");
        }
        if (options.RpcTimeoutMs < 100)
        {
            failures.Add($"solana.rpc_timeout_ms: {options.RpcTimeoutMs} must be at least 100");
        }
        if (options.RpcMaxConcurrency is < 1 or > 256)
        {
            failures.Add($"solana.rpc_max_concurrency: {options.RpcMaxConcurrency} is out of range 1..256");
        }
        if (options.LiveQueueCapacity is < 16 or > 10_000_000)
        {
            failures.Add($"solana.live_queue_capacity: {options.LiveQueueCapacity} is out of range 16..10000000");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>RPC URLs often carry an API key in the path or query: show only scheme, host and port.</summary>
    public static string Redact(string url) =>
        !Uri.TryCreate(url, UriKind.Absolute, out var uri) ? "(unparsable)"
        // "host:8899" parses as scheme "host" with no authority.
        : uri.Authority.Length == 0 ? $"{uri.Scheme}:…"
        : $"{uri.Scheme}://{uri.Authority}/…";
}
