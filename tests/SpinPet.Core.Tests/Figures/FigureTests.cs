using System.Diagnostics.Metrics;
using SpinPet.Core.Figures;

namespace SpinPet.Core.Tests.Figures;

public sealed class FigureTests
{
    [Fact]
    public void A_named_figure_is_an_observable_instrument_of_its_name_kind_and_unit()
    {
        using var meter = new Meter($"SpinPet.Tests.{Guid.NewGuid():N}");
        var sent = new Figure("spinpet.test.sent", FigureKind.Counter, "{message}", "Messages sent.");
        var open = new Figure("spinpet.test.open", FigureKind.UpDown, "{connection}", "Open connections.");
        var peak = new Figure("spinpet.test.peak", FigureKind.Gauge, "By", "The most bytes held.");
        foreach (var figure in new[] { sent, open, peak })
        {
            figure.Export(meter);
        }
        sent.Add(3);
        sent.Add(4);
        open.Add(2);
        open.Add(-1);
        peak.Raise(10);
        peak.Raise(7);

        var seen = new Dictionary<string, (Type Kind, string? Unit, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            seen[instrument.Name] = (instrument.GetType().GetGenericTypeDefinition(), instrument.Unit, value));
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal((typeof(ObservableCounter<>), "{message}", 7L), seen["spinpet.test.sent"]);
        Assert.Equal((typeof(ObservableUpDownCounter<>), "{connection}", 1L), seen["spinpet.test.open"]);
        Assert.Equal((typeof(ObservableGauge<>), "By", 10L), seen["spinpet.test.peak"]);
        Assert.Equal(7, sent.Value);
    }

    [Fact]
    public void A_figure_with_a_source_reports_the_source_and_an_unnamed_one_is_not_exported_by_itself()
    {
        long kept = 5;
        var borrowed = new Figure("spinpet.test.kept", FigureKind.Counter, "{frame}", "Kept elsewhere.", () => kept);
        kept = 9;
        Assert.Equal(9, borrowed.Value);

        using var meter = new Meter($"SpinPet.Tests.{Guid.NewGuid():N}");
        Assert.Throws<InvalidOperationException>(() => new Figure().Export(meter));
    }

    [Fact]
    public async Task Concurrent_adds_and_raises_lose_nothing()
    {
        var total = new Figure();
        var high = new Figure();
        const int Threads = 4, PerThread = 50_000;
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (int i = 1; i <= PerThread; i++)
            {
                total.Add(1);
                high.Raise((long)t * PerThread + i);
            }
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(Threads * PerThread, total.Value);
        Assert.Equal(Threads * PerThread, high.Value);
    }
}
