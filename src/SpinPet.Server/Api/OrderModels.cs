using SpinPet.Core.Indexing;
using System.Text.Json.Serialization;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

/// <summary>An open margin order (u64 amounts and u128 prices as decimal strings, times unix seconds).</summary>
internal record OrderJson
{
    public required string OrderPda { get; init; }

    public required string MintAccount { get; init; }

    public required string User { get; init; }

    /// <summary>1 = long, 2 = short.</summary>
    public required byte OrderType { get; init; }

    public required string Mint { get; init; }

    public required string LockLpStartPrice { get; init; }

    public required string LockLpEndPrice { get; init; }

    public required string LockLpSolAmount { get; init; }

    public required string LockLpTokenAmount { get; init; }

    public required uint StartTime { get; init; }

    public required uint EndTime { get; init; }

    public required string MarginSolAmount { get; init; }

    public required string BorrowAmount { get; init; }

    public required string PositionAssetAmount { get; init; }

    public required ushort BorrowFee { get; init; }

    public required string OpenSignature { get; init; }

    public required ulong OpenSlot { get; init; }

    public required long OpenTimestamp { get; init; }

    /// <summary>The newest event that set the state (the opening or the latest partial close).</summary>
    public required string UpdatedSignature { get; init; }

    public required ulong UpdatedSlot { get; init; }

    public required long UpdatedTimestamp { get; init; }

    public static OrderJson From(OpenOrder o) => new()
    {
        OrderPda = o.OrderPda.ToString(),
        MintAccount = o.MintAccount.ToString(),
        User = o.State.User.ToString(),
        OrderType = o.State.OrderType,
        Mint = o.State.Mint.ToString(),
        LockLpStartPrice = EventJson.Text(o.State.LockLpStartPrice),
        LockLpEndPrice = EventJson.Text(o.State.LockLpEndPrice),
        LockLpSolAmount = EventJson.Text(o.State.LockLpSolAmount),
        LockLpTokenAmount = EventJson.Text(o.State.LockLpTokenAmount),
        StartTime = o.State.StartTime,
        EndTime = o.State.EndTime,
        MarginSolAmount = EventJson.Text(o.State.MarginSolAmount),
        BorrowAmount = EventJson.Text(o.State.BorrowAmount),
        PositionAssetAmount = EventJson.Text(o.State.PositionAssetAmount),
        BorrowFee = o.State.BorrowFee,
        OpenSignature = o.OpenedSignature.ToString(),
        OpenSlot = o.OpenedPosition.Slot,
        OpenTimestamp = o.OpenedBlockTime,
        UpdatedSignature = o.UpdatedSignature.ToString(),
        UpdatedSlot = o.UpdatedPosition.Slot,
        UpdatedTimestamp = o.UpdatedBlockTime,
    };
}

/// <summary>
/// An open order with its mint's latest price, latest trade time and token data (null when unknown): the earlier
/// server's order fields (rest-legacy.md), on <c>/api/mint_orders</c> and <c>/api/user_orders</c> alike.
/// </summary>
internal sealed record TokenOrderJson : OrderJson
{
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    internal TokenOrderJson(OrderJson order)
        : base(order)
    {
    }

    [JsonPropertyOrder(100)]
    public string? LatestPrice { get; init; }

    [JsonPropertyOrder(101)]
    public double? LatestPriceSol { get; init; }

    /// <summary>The mint's latest trade (unix seconds); null before its first trade.</summary>
    [JsonPropertyOrder(102)]
    public long? LatestTradeTime { get; init; }

    [JsonPropertyOrder(103)]
    public string? Name { get; init; }

    [JsonPropertyOrder(104)]
    public string? Symbol { get; init; }

    /// <summary>From the token's metadata (<c>uri_data.image</c>); null while it is not fetched or without <c>ipfs.gateway_url</c>.</summary>
    [JsonPropertyOrder(105)]
    public string? Image { get; init; }
}

/// <summary><c>GET /api/mint_orders</c>.</summary>
internal sealed record MintOrdersPage(
    IReadOnlyList<TokenOrderJson> Orders,
    uint Total,
    string OrderType,
    string MintAccount,
    int Page,
    int Limit,
    bool HasNext,
    bool HasPrev,
    string? NextCursor);

/// <summary><c>GET /api/user_orders</c>.</summary>
internal sealed record UserOrdersPage(
    IReadOnlyList<TokenOrderJson> Orders,
    int Total,
    string User,
    string? MintAccount,
    string OrderBy,
    int Page,
    int Limit,
    bool HasNext,
    bool HasPrev,
    string? NextCursor);
