namespace SpinPet.Storage;

/// <summary>
/// The column families of the store. Every name here is created at open; a feature that keeps its own rows in
/// the same database (and commits them in the same write) adds its name to <see cref="All"/> and gets a group type of its own.
/// </summary>
internal static class ColumnFamilyNames
{
    public const string Events = "events";
    public const string Signatures = "signatures";
    public const string Rejected = "rejected";
    public const string Meta = "meta";
    public const string Candles = "candles";
    public const string CandleTopics = "candle_topics";

    // (event position, interval) pairs an event was skipped for because the live candle of its bucket was already
    // final (docs/storage.md, "Late candle events"): written with the events, kept by a candle rebuild.
    public const string CandleLateEvents = "candle_late_events";

    // Derived rows of the REST API (docs/storage.md, "Derived rows"), written with the events they come from.
    public const string MintEvents = "mint_events";
    public const string UserEvents = "user_events";
    public const string Mints = "mints";
    public const string MintsByFirst = "mints_by_first";
    public const string Orders = "orders";
    public const string MintOrders = "mint_orders";
    public const string UserOrders = "user_orders";
    public const string UserEventCounts = "user_event_counts";

    // A mint's events in the order they were applied (mint ‖ seq ‖ position): the event stream's resume reads "every
    // event of the mint after seq" as one range (docs/storage.md, "mint_event_seqs").
    public const string MintEventSeqs = "mint_event_seqs";

    // Token metadata fetched from each token's uri (docs/storage.md, "Token metadata"): not derived from the event log,
    // so a rebuild of the derived rows leaves it alone.
    public const string TokenMetadata = "token_metadata";

    // The backfill's listing of the program's history while it is listed and applied (docs/storage.md, "Backfill
    // listing"): pages of signatures, not derived from the event log, and empty once a backfill is done.
    public const string BackfillPages = "backfill_pages";

    public static readonly string[] All =
    [
        Events, Signatures, Rejected, Meta, Candles, CandleTopics, CandleLateEvents,
        MintEvents, UserEvents, Mints, MintsByFirst, Orders, MintOrders, UserOrders, UserEventCounts, MintEventSeqs, TokenMetadata, BackfillPages,
    ];

    /// <summary>The REST index families (<see cref="RestIndexStore"/>): what a rebuild of them empties and refills from the event log.</summary>
    public static readonly string[] Derived = [MintEvents, UserEvents, Mints, MintsByFirst, Orders, MintOrders, UserOrders, UserEventCounts, MintEventSeqs];
}
