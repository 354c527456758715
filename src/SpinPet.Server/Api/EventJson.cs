using System.Globalization;
using System.Text.Json.Serialization;
using SpinPet.Core.Events;
using SpinPet.Indexer.Events;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

/// <summary>
/// A stored event on the wire: <c>event_type</c>, the event's fields in snake_case (pubkeys base58, u64 amounts and
/// u128 prices as decimal strings), then where it happened: RFC 3339 block time, signature, slot, event index.
/// </summary>
[JsonDerivedType(typeof(TokenCreatedJson))]
[JsonDerivedType(typeof(BuySellJson))]
[JsonDerivedType(typeof(LongShortJson))]
[JsonDerivedType(typeof(ForceLiquidateJson))]
[JsonDerivedType(typeof(FullCloseJson))]
[JsonDerivedType(typeof(PartialCloseJson))]
[JsonDerivedType(typeof(MilestoneDiscountJson))]
internal abstract record EventJson
{
    [JsonPropertyOrder(-10)]
    public string EventType => Type;

    [JsonPropertyOrder(-9)]
    public required string Payer { get; init; }

    [JsonPropertyOrder(-8)]
    public required string MintAccount { get; init; }

    /// <summary>
    /// Block time, RFC 3339 UTC; null when the stored block time is outside years 1…9999 (a row stored before the
    /// ingest refused implausible block times), which <see cref="BlockTime"/> still carries as it was stored.
    /// </summary>
    [JsonPropertyOrder(100)]
    public required string? Timestamp { get; init; }

    /// <summary>Block time, unix seconds.</summary>
    [JsonPropertyOrder(101)]
    public required long BlockTime { get; init; }

    [JsonPropertyOrder(102)]
    public required string Signature { get; init; }

    [JsonPropertyOrder(103)]
    public required ulong Slot { get; init; }

    [JsonPropertyOrder(104)]
    public required int EventIndex { get; init; }

    /// <summary>Decodes a stored payload (stored payloads decoded when they were stored, so they decode again).</summary>
    public static EventJson From(StoredEvent stored)
    {
        if (StoredEvents.Read(stored) is not { } ev)
        {
            throw new InvalidOperationException($"The stored event at {stored.Position} ({stored.Signature}) no longer decodes.");
        }
        return From(stored, ev);
    }

    /// <summary>A stored event whose payload is already decoded (<paramref name="ev"/>; the event stream's live events).</summary>
    public static EventJson From(StoredEvent stored, SpinPetEvent ev)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(ev);
        string? timestamp = Rfc3339(stored.BlockTime);
        string signature = stored.Signature.ToString();
        var p = stored.Position;
        return ev switch
        {
            TokenCreatedEvent e => new TokenCreatedJson
            {
                Payer = e.Payer.ToString(), MintAccount = e.MintAccount.ToString(), CurveAccount = e.CurveAccount.ToString(),
                PoolTokenAccount = e.PoolTokenAccount.ToString(), PoolSolAccount = e.PoolSolAccount.ToString(),
                FeeRecipient = e.FeeRecipient.ToString(), BaseFeeRecipient = e.BaseFeeRecipient.ToString(),
                ParamsAccount = e.ParamsAccount.ToString(), SwapFee = e.SwapFee, BorrowFee = e.BorrowFee, FeeDiscountFlag = e.FeeDiscountFlag,
                Name = e.Name, Symbol = e.Symbol, Uri = e.Uri,
                Timestamp = timestamp, BlockTime = stored.BlockTime, Signature = signature, Slot = p.Slot, EventIndex = p.EventIndex,
            },
            BuySellEvent e => new BuySellJson
            {
                Payer = e.Payer.ToString(), MintAccount = e.MintAccount.ToString(), IsBuy = e.IsBuy, TokenAmount = Text(e.TokenAmount),
                SolAmount = Text(e.SolAmount), LatestPrice = Text(e.Price),
                Timestamp = timestamp, BlockTime = stored.BlockTime, Signature = signature, Slot = p.Slot, EventIndex = p.EventIndex,
            },
            LongShortEvent e => new LongShortJson
            {
                Payer = e.Payer.ToString(), MintAccount = e.MintAccount.ToString(), OrderPda = e.OrderPda.ToString(), LatestPrice = Text(e.Price),
                OrderType = e.Order.OrderType, Mint = e.Order.Mint.ToString(), User = e.Order.User.ToString(),
                LockLpStartPrice = Text(e.Order.LockLpStartPrice), LockLpEndPrice = Text(e.Order.LockLpEndPrice),
                LockLpSolAmount = Text(e.Order.LockLpSolAmount), LockLpTokenAmount = Text(e.Order.LockLpTokenAmount),
                StartTime = e.Order.StartTime, EndTime = e.Order.EndTime, MarginSolAmount = Text(e.Order.MarginSolAmount),
                BorrowAmount = Text(e.Order.BorrowAmount), PositionAssetAmount = Text(e.Order.PositionAssetAmount), BorrowFee = e.Order.BorrowFee,
                Timestamp = timestamp, BlockTime = stored.BlockTime, Signature = signature, Slot = p.Slot, EventIndex = p.EventIndex,
            },
            ForceLiquidateEvent e => new ForceLiquidateJson
            {
                Payer = e.Payer.ToString(), MintAccount = e.MintAccount.ToString(), OrderPda = e.OrderPda.ToString(),
                Timestamp = timestamp, BlockTime = stored.BlockTime, Signature = signature, Slot = p.Slot, EventIndex = p.EventIndex,
            },
            FullCloseEvent e => new FullCloseJson
            {
                Payer = e.Payer.ToString(), UserSolAccount = e.UserSolAccount.ToString(), MintAccount = e.MintAccount.ToString(),
                IsCloseLong = e.IsCloseLong, FinalTokenAmount = Text(e.FinalTokenAmount), FinalSolAmount = Text(e.FinalSolAmount),
                UserCloseProfit = Text(e.UserCloseProfit), LatestPrice = Text(e.Price), OrderPda = e.OrderPda.ToString(),
                Timestamp = timestamp, BlockTime = stored.BlockTime, Signature = signature, Slot = p.Slot, EventIndex = p.EventIndex,
            },
            PartialCloseEvent e => new PartialCloseJson
            {
                Payer = e.Payer.ToString(), UserSolAccount = e.UserSolAccount.ToString(), MintAccount = e.MintAccount.ToString(),
                IsCloseLong = e.IsCloseLong, FinalTokenAmount = Text(e.FinalTokenAmount), FinalSolAmount = Text(e.FinalSolAmount),
                UserCloseProfit = Text(e.UserCloseProfit), LatestPrice = Text(e.Price), OrderPda = e.OrderPda.ToString(),
                OrderType = e.Order.OrderType, Mint = e.Order.Mint.ToString(), User = e.Order.User.ToString(),
                LockLpStartPrice = Text(e.Order.LockLpStartPrice), LockLpEndPrice = Text(e.Order.LockLpEndPrice),
                LockLpSolAmount = Text(e.Order.LockLpSolAmount), LockLpTokenAmount = Text(e.Order.LockLpTokenAmount),
                StartTime = e.Order.StartTime, EndTime = e.Order.EndTime, MarginSolAmount = Text(e.Order.MarginSolAmount),
                BorrowAmount = Text(e.Order.BorrowAmount), PositionAssetAmount = Text(e.Order.PositionAssetAmount), BorrowFee = e.Order.BorrowFee,
                Timestamp = timestamp, BlockTime = stored.BlockTime, Signature = signature, Slot = p.Slot, EventIndex = p.EventIndex,
            },
            MilestoneDiscountEvent e => new MilestoneDiscountJson
            {
                Payer = e.Payer.ToString(), MintAccount = e.MintAccount.ToString(), CurveAccount = e.CurveAccount.ToString(),
                SwapFee = e.SwapFee, BorrowFee = e.BorrowFee, FeeDiscountFlag = e.FeeDiscountFlag,
                Timestamp = timestamp, BlockTime = stored.BlockTime, Signature = signature, Slot = p.Slot, EventIndex = p.EventIndex,
            },
            _ => throw new InvalidOperationException($"No wire type for {ev.Kind}."),
        };
    }

    /// <summary>
    /// RFC 3339 UTC of a unix time, or null outside what <see cref="DateTimeOffset"/> holds (years 1…9999): a lying
    /// RPC node's block time, stored before the ingest checked it, is a value to show as it is, not a reason to fail
    /// the whole page.
    /// </summary>
    public static string? Rfc3339(long unixSeconds) =>
        unixSeconds is < MinUnixSeconds or > MaxUnixSeconds
            ? null
            : DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // DateTimeOffset.MinValue and MaxValue in unix seconds (0001-01-01T00:00:00Z, 9999-12-31T23:59:59Z).
    private const long MinUnixSeconds = -62_135_596_800;
    private const long MaxUnixSeconds = 253_402_300_799;

    public static string Text(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Text(UInt128 value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The <c>event_type</c> value: the IDL event name without "Event" (not serialized itself).</summary>
    protected abstract string Type { get; }
}

internal sealed record TokenCreatedJson : EventJson
{
    protected override string Type => nameof(EventKind.TokenCreated);

    public required string CurveAccount { get; init; }

    public required string PoolTokenAccount { get; init; }

    public required string PoolSolAccount { get; init; }

    public required string FeeRecipient { get; init; }

    public required string BaseFeeRecipient { get; init; }

    public required string ParamsAccount { get; init; }

    public required ushort SwapFee { get; init; }

    public required ushort BorrowFee { get; init; }

    public required byte FeeDiscountFlag { get; init; }

    public required string Name { get; init; }

    public required string Symbol { get; init; }

    public required string Uri { get; init; }
}

internal sealed record BuySellJson : EventJson
{
    protected override string Type => nameof(EventKind.BuySell);

    public required bool IsBuy { get; init; }

    public required string TokenAmount { get; init; }

    public required string SolAmount { get; init; }

    public required string LatestPrice { get; init; }
}

internal sealed record LongShortJson : EventJson
{
    protected override string Type => nameof(EventKind.LongShort);

    public required string OrderPda { get; init; }

    public required string LatestPrice { get; init; }

    public required byte OrderType { get; init; }

    public required string Mint { get; init; }

    public required string User { get; init; }

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
}

internal sealed record ForceLiquidateJson : EventJson
{
    protected override string Type => nameof(EventKind.ForceLiquidate);

    public required string OrderPda { get; init; }
}

internal record FullCloseJson : EventJson
{
    protected override string Type => nameof(EventKind.FullClose);

    public required string UserSolAccount { get; init; }

    public required bool IsCloseLong { get; init; }

    public required string FinalTokenAmount { get; init; }

    public required string FinalSolAmount { get; init; }

    public required string UserCloseProfit { get; init; }

    public required string LatestPrice { get; init; }

    public required string OrderPda { get; init; }
}

/// <summary>The FullClose fields, then the order's state after the partial close.</summary>
internal sealed record PartialCloseJson : FullCloseJson
{
    protected override string Type => nameof(EventKind.PartialClose);

    public required byte OrderType { get; init; }

    public required string Mint { get; init; }

    public required string User { get; init; }

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
}

internal sealed record MilestoneDiscountJson : EventJson
{
    protected override string Type => nameof(EventKind.MilestoneDiscount);

    public required string CurveAccount { get; init; }

    public required ushort SwapFee { get; init; }

    public required ushort BorrowFee { get; init; }

    public required byte FeeDiscountFlag { get; init; }
}
