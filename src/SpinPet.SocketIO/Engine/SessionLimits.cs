using System.Collections.Concurrent;

namespace SpinPet.SocketIO.Engine;

/// <summary>The default admission: sessions in all and per address, counted by this server alone.</summary>
internal sealed class SessionLimits(int maxSessions, int maxPerAddress) : ISocketIOAdmission
{
    private readonly ConcurrentDictionary<string, int> _perAddress = new(StringComparer.Ordinal);
    private int _total;

    public bool TryReserve(string address, out ISocketIOOutboxCredit? credit, out string? refusal)
    {
        credit = null;
        if (Interlocked.Increment(ref _total) > maxSessions)
        {
            Interlocked.Decrement(ref _total);
            refusal = "server at capacity";
            return false;
        }
        int count = _perAddress.AddOrUpdate(address, 1, static (_, n) => n + 1);
        if (count > maxPerAddress)
        {
            Release(address);
            refusal = "too many sessions from this address";
            return false;
        }
        refusal = null;
        return true;
    }

    public void Release(string address)
    {
        Interlocked.Decrement(ref _total);
        // Remove the entry once it reaches zero, so addresses seen once do not pile up.
        while (_perAddress.TryGetValue(address, out int count))
        {
            if (count <= 1
                ? _perAddress.TryRemove(new KeyValuePair<string, int>(address, count))
                : _perAddress.TryUpdate(address, count - 1, count))
            {
                return;
            }
        }
    }
}
