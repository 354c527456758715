namespace SpinPet.Server.Api;

/// <summary><c>GET /api/events</c>: one page of a mint's events.</summary>
internal sealed record EventsPage(
    IReadOnlyList<EventJson> Events,
    ulong Total,
    string MintAccount,
    string OrderBy,
    int Page,
    int Limit,
    bool HasNext,
    bool HasPrev,
    string? NextCursor);

/// <summary>
/// <c>GET /api/user_event</c>: one page of a user's events; <c>total</c> = all of the user's events (in the mint, when
/// filtered), a count kept per user and per user and mint in the batch that stores the events. <c>transactions</c> is
/// the same page in the earlier server's shape (rest-legacy.md), beside our <c>events</c>.
/// </summary>
internal sealed record UserEventsPage(
    IReadOnlyList<EventJson> Events,
    IReadOnlyList<UserTransactionJson> Transactions,
    ulong Total,
    string User,
    string? MintAccount,
    string OrderBy,
    int Page,
    int Limit,
    bool HasNext,
    bool HasPrev,
    string? NextCursor);

/// <summary>
/// One of a user's events in the earlier server's shape: <c>event_type</c> in snake_case (<c>long_short</c>, …), who and
/// where, <c>timestamp</c> in unix seconds, and the event's own fields (all of <see cref="EventJson"/> but its
/// <c>event_type</c>) nested in <c>event_data</c>.
/// </summary>
internal sealed record UserTransactionJson(
    string EventType,
    string User,
    string MintAccount,
    ulong Slot,
    long Timestamp,
    string Signature,
    System.Text.Json.Nodes.JsonObject EventData)
{
    public static UserTransactionJson From(EventJson ev, string user)
    {
        var data = System.Text.Json.JsonSerializer.SerializeToNode(ev, ApiJsonContext.Default.EventJson)!.AsObject();
        data.Remove("event_type");
        return new UserTransactionJson(
            System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(ev.EventType), user, ev.MintAccount, ev.Slot, ev.BlockTime, ev.Signature, data);
    }
}

/// <summary>
/// <c>GET /api/events/stats</c>: totals since the database was created, kept in the store's counters row. The first
/// eight fields are the earlier server's (rest-legacy.md), one per event type and their <c>total</c>; the rest are ours.
/// </summary>
internal sealed record EventStats(
    ulong TokenCreated,
    ulong BuySell,
    ulong LongShort,
    ulong ForceLiquidate,
    ulong FullClose,
    ulong PartialClose,
    ulong MilestoneDiscount,
    ulong Total,
    ulong TotalEvents,
    IReadOnlyDictionary<string, ulong> EventsByType,
    ulong TotalTransactions,
    ulong FailedTransactions,
    ulong RejectedPayloads,
    int TotalMints);
