using SpinPet.Core.Candles;
using SpinPet.Core.Chain;

namespace SpinPet.Storage.Tests.Candles;

/// <summary>Deterministic candles and topics for the candle store tests.</summary>
internal static class CandleData
{
    public static PublicKey Mint(int n) => TestChain.Key(1_000 + n);

    /// <summary>A candle whose prices are derived from its time, so that a misplaced row shows.</summary>
    public static Candle At(long time, bool isFinal = false, long updateCount = 1)
    {
        double price = 1e-8 * (1 + (Math.Abs(time % 1_000) / 1_000.0));
        return new Candle(time, price, price * 1.5, price * 0.5, price * 1.25, 0, updateCount, isFinal);
    }

    public static CandleWrite New(int mint, Interval interval, long time) => new(Mint(mint), interval, At(time), IsNew: true);

    public static CandleWrite New(PublicKey mint, Interval interval, Candle candle) => new(mint, interval, candle, IsNew: true);

    /// <summary>New candles of one topic at <paramref name="times"/>.</summary>
    public static CandleWrite[] Series(int mint, Interval interval, IEnumerable<long> times) =>
        times.Select(t => New(mint, interval, t)).ToArray();

    public static long[] Times(CandlePage page) => page.Candles.Select(c => c.Time).ToArray();
}
