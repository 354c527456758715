namespace SpinPet.Indexer;

/// <summary>
/// Told what each applied batch changed, after its write, on the applying thread and with no lock held (the host
/// adapts this to the fan-out; the metadata queue listens too). A listener only hands work on (queues it): the next
/// batch waits for it. A throw reaches the appender, which treats the batch's outcome as unknown (it is stored).
/// </summary>
public interface IAppliedBatchListener
{
    void OnApplied(AppliedBatch batch);
}
