using System.Diagnostics.Metrics;

namespace SpinPet.Core.Figures;

/// <summary>
/// One figure, counted one way in every area (the /ws service, the RPC and PubSub clients): a total any thread adds
/// to with one interlocked add, so a hot path pays nothing more, and that the status routes read through
/// <see cref="Value"/>. A named figure exports itself as an observable System.Diagnostics.Metrics instrument of
/// that name, which <c>/metrics</c> reads only when scraped; an unnamed one is exported by whoever names it (a
/// figure of several tagged measurements, or one whose owner is created later than the meter).
/// </summary>
public sealed class Figure
{
    private readonly string? _name;
    private readonly FigureKind _kind;
    private readonly string? _unit;
    private readonly string? _description;
    private readonly Func<long>? _source;
    private long _value;

    /// <summary>A figure counted here and exported by its owner's reader.</summary>
    public Figure()
    {
    }

    /// <param name="name">The instrument's name (<c>spinpet.ws.messages_sent</c> is scraped as <c>spinpet_ws_messages_sent_total</c>).</param>
    /// <param name="kind">Which instrument it becomes.</param>
    /// <param name="unit">The instrument's unit (<c>By</c>, <c>ms</c>, or an annotation such as <c>{message}</c>).</param>
    /// <param name="description">The instrument's help text.</param>
    /// <param name="source">Where the value lives when another object keeps it; the figure then only exports it.</param>
    public Figure(string name, FigureKind kind, string unit, string description, Func<long>? source = null)
    {
        _name = name;
        _kind = kind;
        _unit = unit;
        _description = description;
        _source = source;
    }

    public long Value => _source is null ? Volatile.Read(ref _value) : _source();

    public void Add(long amount) => Interlocked.Add(ref _value, amount);

    /// <summary>For a high-water mark: raises the value to <paramref name="value"/> when that is higher.</summary>
    public void Raise(long value) => Peak.Raise(ref _value, value);

    /// <summary>Makes the observable instrument of this figure's name on <paramref name="meter"/>.</summary>
    public void Export(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        if (_name is null)
        {
            throw new InvalidOperationException("an unnamed figure is exported by its owner");
        }
        switch (_kind)
        {
            case FigureKind.Counter:
                meter.CreateObservableCounter(_name, () => Value, _unit, _description);
                break;
            case FigureKind.UpDown:
                meter.CreateObservableUpDownCounter(_name, () => Value, _unit, _description);
                break;
            default:
                meter.CreateObservableGauge(_name, () => Value, _unit, _description);
                break;
        }
    }
}
