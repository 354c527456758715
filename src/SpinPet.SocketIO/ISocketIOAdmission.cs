namespace SpinPet.SocketIO;

/// <summary>
/// Admission of new Engine.IO sessions, asked before a handshake creates one and told when it ends. The host
/// implements it over the /ws connection registry so that both endpoints share one count per server and per address,
/// and one outbox budget per address and per server; without it the server counts its own sessions
/// (<see cref="SocketIOServerOptions.MaxSessions"/>) and each outbox has only its own bound.
/// </summary>
public interface ISocketIOAdmission
{
    /// <summary>
    /// Reserves a slot for <paramref name="address"/>; false with the reason when at capacity (HTTP 503). On success
    /// <paramref name="credit"/> is the session's share of the shared outbox budgets (null: none, only the session's
    /// own bound holds).
    /// </summary>
    bool TryReserve(string address, out ISocketIOOutboxCredit? credit, out string? refusal);

    /// <summary>Gives back a slot <see cref="TryReserve"/> granted.</summary>
    void Release(string address);
}
