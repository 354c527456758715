using System.Diagnostics.CodeAnalysis;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Protocol;

/// <summary>
/// protocol.md's validation of a request's fields, shared by every protocol that serves the topics (<c>/ws</c> and
/// the Socket.IO <c>/kline</c> namespace), so both refuse the same input with the same 1001 message.
/// </summary>
public static class RequestChecks
{
    /// <summary>The topic named by <c>symbol</c> and <c>interval</c>; false with the 1001 message when either is missing or invalid.</summary>
    public static bool TryTopic(ClientRequest request, IReadOnlyList<Interval> intervals, out TopicKey topic, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(intervals);
        topic = default;
        error = null;
        if (request.Symbol is null)
        {
            error = "Invalid request: symbol is required";
        }
        else if (!PublicKey.TryParse(request.Symbol, out var mint))
        {
            error = $"Invalid symbol: {ClientRequest.Shorten(request.Symbol)} is not a Solana address (base58 of 32 bytes)";
        }
        else if (request.Interval is null)
        {
            error = $"Invalid request: interval is required, one of: {string.Join(", ", intervals)}";
        }
        else if (!Interval.TryParse(request.Interval, out var interval) || !intervals.Contains(interval))
        {
            error = $"Invalid interval: {ClientRequest.Shorten(request.Interval)}, must be one of: {string.Join(", ", intervals)}";
        }
        else
        {
            topic = new TopicKey(mint, interval);
        }
        return error is null;
    }

    /// <summary>The default <c>limit</c> of <c>subscribe_events</c> (protocol.md, "The event stream of a mint").</summary>
    public const int DefaultEventLimit = 50;

    /// <summary>The mint named by <c>symbol</c> (an event stream's); false with the 1001 message when it is missing or invalid.</summary>
    public static bool TryMint(ClientRequest request, out PublicKey mint, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        mint = default;
        error = request.Symbol is null ? "Invalid request: symbol is required"
            : !PublicKey.TryParse(request.Symbol, out mint) ? $"Invalid symbol: {ClientRequest.Shorten(request.Symbol)} is not a Solana address (base58 of 32 bytes)"
            : null;
        return error is null;
    }

    /// <summary>The request's <c>limit</c> (1…1000), or <paramref name="defaultLimit"/> when absent; false with the 1001 message.</summary>
    public static bool TryLimit(ClientRequest request, int defaultLimit, out int limit, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        limit = defaultLimit;
        error = null;
        if (request.Limit is null)
        {
            return true;
        }
        if (request.Limit is < 1 or > 1000)
        {
            error = $"Invalid limit: {request.Limit}, must be 1..1000";
            return false;
        }
        limit = (int)request.Limit.Value;
        return true;
    }

    /// <summary>A <c>history</c> request's <c>from</c> / <c>before</c>: unix seconds, not both; false with the 1001 message.</summary>
    public static bool TryHistoryRange(ClientRequest request, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        error = request switch
        {
            { From: < 0 } or { Before: < 0 } => "Invalid request: from and before are unix seconds (≥ 0)",
            { From: not null, Before: not null } => "Invalid request: from and before cannot be combined (from pages forward, before pages back)",
            _ => null,
        };
        return error is null;
    }

    /// <summary>The page a valid <c>history</c> request asks for: oldest first, as <see cref="ICandleHistory"/> reads it.</summary>
    public static HistoryPage Read(ICandleHistory history, ClientRequest request, TopicKey topic, int limit)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(request);
        return request.From is { } from
            ? history.From(topic.Mint, topic.Interval, from, limit)
            : history.Newest(topic.Mint, topic.Interval, limit, request.Before);
    }
}
