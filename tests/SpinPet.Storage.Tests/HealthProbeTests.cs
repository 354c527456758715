namespace SpinPet.Storage.Tests;

public sealed class HealthProbeTests
{
    [Fact]
    public void A_write_probe_stores_its_stamp_and_it_survives_reopening()
    {
        using var fixture = new StoreFixture();
        Assert.Null(fixture.Store.Meta.ReadHealthStamp());

        fixture.Store.Meta.ProbeWrite(1_764_062_401_000);
        fixture.Store.Meta.ProbeWrite(1_764_062_411_000);

        Assert.Equal(1_764_062_411_000, fixture.Reopen().Meta.ReadHealthStamp());
        // The probe's row is its own: the checkpoint and counters of an empty store are untouched.
        Assert.Null(fixture.Store.Meta.ReadCheckpoint());
        Assert.Equal(0UL, fixture.Store.Meta.Counters.Events);
    }

    [Fact]
    public void A_write_probe_on_a_closed_store_throws()
    {
        using var fixture = new StoreFixture();
        fixture.Store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => fixture.Store.Meta.ProbeWrite(1));
    }
}
