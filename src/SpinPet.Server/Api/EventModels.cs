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
/// filtered), a count kept per user and per user and mint in the batch that stores the events.
/// </summary>
internal sealed record UserEventsPage(
    IReadOnlyList<EventJson> Events,
    ulong Total,
    string User,
    string? MintAccount,
    string OrderBy,
    int Page,
    int Limit,
    bool HasNext,
    bool HasPrev,
    string? NextCursor);

/// <summary><c>GET /api/events/stats</c>: totals since the database was created, kept in the store's counters row.</summary>
internal sealed record EventStats(
    ulong TotalEvents,
    IReadOnlyDictionary<string, ulong> EventsByType,
    ulong TotalTransactions,
    ulong FailedTransactions,
    ulong RejectedPayloads,
    int TotalMints);
