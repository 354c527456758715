using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SpinPet.Server.Configuration;
using SpinPet.Server.Hosting;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Hosting;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GarbageCollectionSensitive
{
    /// <summary>Tests that count the process's garbage collections run alone.</summary>
    public const string Name = "garbage collection sensitive";
}

/// <summary>
/// The idle trim on the real collector with a fake clock: it collects only after a whole period without any
/// collection, once, and not when the collector holds little beyond its live objects.
/// </summary>
[Collection(GarbageCollectionSensitive.Name)]
public sealed class IdleMemoryTrimmerTests : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _meters.Dispose();

    [Fact]
    public async Task A_period_without_any_collection_ends_with_one_aggressive_collection_and_the_next_period_with_none()
    {
        using var trimmer = Create(minimumReclaimableBytes: 0, minimumShareOfLive: 0);
        await trimmer.StartAsync(TestContext.Current.CancellationToken);

        // Anything else in the process may collect in a period and postpone the trim to the next quiet one.
        int fullCollections = GC.CollectionCount(GC.MaxGeneration);
        int collections = GC.CollectionCount(0);
        for (int period = 0; period < 20 && trimmer.Trims == 0; period++)
        {
            await EndPeriodAsync(trimmer);
        }
        Assert.True(trimmer.Trims == 1, $"{trimmer.Trims} trims in {trimmer.Checks} periods, {GC.CollectionCount(0) - collections} collections meanwhile");
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > fullCollections, "the trim is a full collection");

        // The period after a trim saw no collection but the trim itself: no second trim.
        await EndPeriodAsync(trimmer);
        Assert.Equal(1, trimmer.Trims);
        await trimmer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_collection_during_the_period_postpones_the_trim()
    {
        using var trimmer = Create(minimumReclaimableBytes: 0, minimumShareOfLive: 0);
        await trimmer.StartAsync(TestContext.Current.CancellationToken);

        await PeriodStartedAsync(trimmer);
        GC.Collect(0);
        await EndPeriodAsync(trimmer);

        Assert.Equal(0, trimmer.Trims);
        await trimmer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_collector_holding_little_beyond_its_live_objects_is_not_trimmed()
    {
        using var trimmer = Create(minimumReclaimableBytes: long.MaxValue, minimumShareOfLive: 0);
        await trimmer.StartAsync(TestContext.Current.CancellationToken);

        for (int period = 0; period < 3; period++)
        {
            await EndPeriodAsync(trimmer);
        }

        Assert.Equal(3, trimmer.Checks);
        Assert.Equal(0, trimmer.Trims);
        await trimmer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Zero_seconds_turns_the_trim_off()
    {
        using var trimmer = Create(minimumReclaimableBytes: 0, minimumShareOfLive: 0, seconds: 0);
        await trimmer.StartAsync(TestContext.Current.CancellationToken);

        await Eventually.TrueAsync(() => trimmer.ExecuteTask!.IsCompleted, Wait, "the trimmer to return");
        Assert.True(trimmer.ExecuteTask!.IsCompletedSuccessfully);
        Assert.Equal(0, trimmer.PeriodsStarted);
    }

    private IdleMemoryTrimmer Create(long minimumReclaimableBytes, double minimumShareOfLive, int seconds = 30) =>
        new(Options.Create(new ServerOptions { IdleMemoryTrimSeconds = seconds }), _time,
            _meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NullLogger<IdleMemoryTrimmer>.Instance,
            minimumReclaimableBytes, minimumShareOfLive);

    /// <summary>Until the trimmer waits for the end of its next period (it starts on a thread of its own).</summary>
    private static Task PeriodStartedAsync(IdleMemoryTrimmer trimmer) =>
        Eventually.TrueAsync(() => trimmer.PeriodsStarted > trimmer.Checks, Wait, "the period to start");

    private async Task EndPeriodAsync(IdleMemoryTrimmer trimmer)
    {
        await PeriodStartedAsync(trimmer);
        long checks = trimmer.Checks;
        _time.Advance(Period);
        await Eventually.TrueAsync(() => trimmer.Checks > checks, Wait, "the period's check");
    }
}
