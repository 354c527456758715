using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;
using SpinPet.Server.Observability;

namespace SpinPet.Server.Hosting;

/// <summary>
/// Gives memory back to the operating system once the process has been quiet for <c>server.idle_memory_trim_s</c>
/// (decision record 0012). The collector only shrinks what it holds when it runs, and it runs only when something
/// allocates: after a storm of connections an idle server keeps the storm's allocation budget and holes for as long as
/// it stays idle (~15 KB per idle connection beside ~16 KB of live objects, measured). When no collection ran for a
/// whole period and the collector holds much more than its live objects, one aggressive collection (compacting, giving
/// free memory back) does what the collector would do itself if anything allocated. It pauses the process (~0.25 s with
/// 10,000 connections on a 2-vCPU machine), which is why it runs only after a period in which too little was allocated
/// to start a single collection, and at most once per such period.
/// </summary>
internal sealed partial class IdleMemoryTrimmer : BackgroundService
{
    /// <summary>Below this the collector holds little beyond its live objects: a trim would pause the process for nothing.</summary>
    internal const long MinimumReclaimableBytes = 64L << 20;

    /// <summary>
    /// Nor below a quarter of the live objects: a collector keeps an allocation budget that grows with the heap, and
    /// giving back a small share of it would buy a pause and little else. (Half was too strict: at 19,000 idle
    /// connections the storm's slack was ~45 % of the live bytes, 160 MB, and was kept.)
    /// </summary>
    internal const double MinimumReclaimableShareOfLive = 0.25;

    private readonly IOptions<ServerOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<IdleMemoryTrimmer> _logger;
    private readonly long _minimumReclaimableBytes;
    private readonly double _minimumReclaimableShareOfLive;
    private long _periodsStarted;
    private long _checks;
    private long _trims;
    private long _releasedBytes;

    public IdleMemoryTrimmer(IOptions<ServerOptions> options, TimeProvider time, IMeterFactory meters, ILogger<IdleMemoryTrimmer> logger)
        : this(options, time, meters, logger, MinimumReclaimableBytes, MinimumReclaimableShareOfLive)
    {
    }

    /// <summary>With other thresholds (tests: a process that holds little).</summary>
    internal IdleMemoryTrimmer(IOptions<ServerOptions> options, TimeProvider time, IMeterFactory meters, ILogger<IdleMemoryTrimmer> logger,
        long minimumReclaimableBytes, double minimumReclaimableShareOfLive)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _minimumReclaimableBytes = minimumReclaimableBytes;
        _minimumReclaimableShareOfLive = minimumReclaimableShareOfLive;
        var meter = meters.Create(SpinPetMetrics.MeterName);
        meter.CreateObservableCounter("spinpet.memory.idle_trims", () => Trims, "{collection}",
            "Aggressive collections made after a period without any, giving memory the collector held beyond its live objects back to the OS (server.idle_memory_trim_s).");
        meter.CreateObservableCounter("spinpet.memory.idle_trim_released", () => ReleasedBytes, "By",
            "Committed bytes those collections gave back.");
    }

    /// <summary>Periods whose end is awaited or was (a clock moved after this rose ends the newest one).</summary>
    internal long PeriodsStarted => Interlocked.Read(ref _periodsStarted);

    /// <summary>Periods looked at (each a decision to trim or not).</summary>
    internal long Checks => Interlocked.Read(ref _checks);

    /// <summary>Aggressive collections made.</summary>
    public long Trims => Interlocked.Read(ref _trims);

    /// <summary>Committed bytes the trims gave back, summed.</summary>
    public long ReleasedBytes => Interlocked.Read(ref _releasedBytes);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(_options.Value.IdleMemoryTrimSeconds);
        if (period <= TimeSpan.Zero)
        {
            return;
        }

        // Any collection counts as generation 0 too, so this number moves whenever the collector ran.
        int collectionsSeen = GC.CollectionCount(0);
        int collectionsAfterTrim = -1;
        try
        {
            var periodEnd = Task.Delay(period, _time, stoppingToken);
            Interlocked.Increment(ref _periodsStarted);
            while (true)
            {
                await periodEnd;
                int collections = GC.CollectionCount(0);
                // A period whose only collection was our own trim is not a reason for another.
                if (collections == collectionsSeen && collections != collectionsAfterTrim && TryTrim())
                {
                    collectionsAfterTrim = GC.CollectionCount(0);
                }
                collectionsSeen = GC.CollectionCount(0);
                Interlocked.Increment(ref _checks);
                periodEnd = Task.Delay(period, _time, stoppingToken);
                Interlocked.Increment(ref _periodsStarted);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private bool TryTrim()
    {
        // As of the last collection: nothing ran since, so nothing changed the collector's picture.
        var before = GC.GetGCMemoryInfo();
        long live = before.HeapSizeBytes - before.FragmentedBytes;
        long reclaimable = before.TotalCommittedBytes - live;
        if (reclaimable < _minimumReclaimableBytes || reclaimable < live * _minimumReclaimableShareOfLive)
        {
            return false;
        }

        long started = Stopwatch.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var pause = Stopwatch.GetElapsedTime(started);
        long released = Math.Max(0, before.TotalCommittedBytes - GC.GetGCMemoryInfo().TotalCommittedBytes);
        Interlocked.Increment(ref _trims);
        Interlocked.Add(ref _releasedBytes, released);
        LogTrimmed(_logger, released >> 20, before.TotalCommittedBytes >> 20, live >> 20, pause.TotalMilliseconds);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Idle: gave {ReleasedMiB} MiB back to the OS (the collector held {CommittedMiB} MiB for {LiveMiB} MiB of live objects); the collection took {PauseMs:0} ms")]
    private static partial void LogTrimmed(ILogger logger, long releasedMiB, long committedMiB, long liveMiB, double pauseMs);
}
