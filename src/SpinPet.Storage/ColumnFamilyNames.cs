namespace SpinPet.Storage;

/// <summary>
/// The column families of the store. Every name here is created at open; a feature that keeps its own rows in
/// the same database (and commits them in the same batch) adds its name to <see cref="All"/>.
/// </summary>
internal static class ColumnFamilyNames
{
    public const string Events = "events";
    public const string Signatures = "signatures";
    public const string Rejected = "rejected";
    public const string Meta = "meta";
    public const string Candles = "candles";
    public const string CandleTopics = "candle_topics";

    public static readonly string[] All = [Events, Signatures, Rejected, Meta, Candles, CandleTopics];
}
