using SpinPet.Indexer.Metadata;

namespace SpinPet.Server.Api;

/// <summary><c>GET /api/mints</c>: mint addresses in the requested order.</summary>
internal sealed record MintsPage(
    IReadOnlyList<string> Mints,
    int Total,
    int Page,
    int Limit,
    bool HasNext,
    bool HasPrev,
    string? NextCursor,
    string SortBy);

/// <summary><c>POST /api/details</c> body.</summary>
internal sealed record DetailsRequest(IReadOnlyList<string>? Mints);

/// <summary><c>POST /api/details</c>: the known mints among those asked for, in the order asked.</summary>
internal sealed record DetailsPage(IReadOnlyList<MintDetailJson> Details, int Total);

/// <summary>
/// One mint: creation data from its TokenCreatedEvent (null when that event is not in the indexed history), the
/// latest price, totals (lamports, as decimal strings), current fees and activity; <c>uri_data</c> is the token's
/// metadata once fetched (null before, after a permanent failure, or without <c>ipfs.gateway_url</c>). <c>created_by</c>
/// (the creation's payer) and <c>last_updated_at</c> (RFC 3339 of the latest event) are the earlier server's names.
/// </summary>
internal sealed record MintDetailJson(
    string MintAccount,
    string? Payer,
    string? CurveAccount,
    string? PoolTokenAccount,
    string? PoolSolAccount,
    string? FeeRecipient,
    string? BaseFeeRecipient,
    string? ParamsAccount,
    string? Name,
    string? Symbol,
    string? Uri,
    long? CreateTimestamp,
    ulong? CreateSlot,
    string? CreateSignature,
    ushort? SwapFee,
    ushort? BorrowFee,
    byte? FeeDiscountFlag,
    string? LatestPrice,
    double? LatestPriceSol,
    long? LatestTradeTime,
    string TotalSolAmount,
    string TotalMarginSolAmount,
    ulong TotalForceLiquidations,
    string TotalCloseProfit,
    ulong TotalEvents,
    uint OpenLongOrders,
    uint OpenShortOrders,
    ulong FirstSeenSlot,
    long FirstSeenTime,
    ulong LastActivitySlot,
    long LastActivityTime,
    string? CreatedBy,
    string? LastUpdatedAt,
    TokenMetadataDocument? UriData);
