namespace SpinPet.WebSockets.Tests;

/// <summary>Tests that read process-wide GC counters run alone, so other tests' allocations do not blur them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurements
{
    public const string Name = "Memory measurements";
}
