using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpinPet.Server.Health;
using SpinPet.Storage;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Health;

public sealed class StorageHealthCheckTests
{
    [Fact]
    public async Task Readiness_writes_and_reads_back_a_health_row_at_most_once_per_interval()
    {
        using var folder = new TempFolder();
        using var store = SpinPetStore.Open(folder.Path);
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeSeconds(1_764_062_400));
        var check = new StorageHealthCheck(store, clock);

        var first = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, first.Status);
        Assert.Contains("writable", first.Description, StringComparison.Ordinal);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), store.Meta.ReadHealthStamp());

        // Polled every second: no new write until the interval has passed.
        long written = store.Meta.ReadHealthStamp()!.Value;
        for (int i = 0; i < 9; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken)).Status);
        }
        Assert.Equal(written, store.Meta.ReadHealthStamp());

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken)).Status);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), store.Meta.ReadHealthStamp());
    }

    [Fact]
    public async Task A_store_that_takes_no_writes_is_unhealthy()
    {
        // Closed: the store that certainly refuses writes (a full or read-only disk cannot be staged in a test).
        using var folder = new TempFolder();
        var store = SpinPetStore.Open(folder.Path);
        var check = new StorageHealthCheck(store, new ManualClock(DateTimeOffset.FromUnixTimeSeconds(1_764_062_400)));
        store.Dispose();

        var result = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith("storage not writable", result.Description, StringComparison.Ordinal);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
