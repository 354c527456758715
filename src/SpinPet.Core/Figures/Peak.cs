namespace SpinPet.Core.Figures;

/// <summary>A high-water mark any thread may raise: a lower value never overwrites a higher one.</summary>
public static class Peak
{
    public static void Raise(ref long peak, long value)
    {
        long known = Volatile.Read(ref peak);
        while (value > known)
        {
            long seen = Interlocked.CompareExchange(ref peak, value, known);
            if (seen == known)
            {
                return;
            }
            known = seen;
        }
    }
}
