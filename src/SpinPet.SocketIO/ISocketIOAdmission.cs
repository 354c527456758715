namespace SpinPet.SocketIO;

/// <summary>
/// Admission of new Engine.IO sessions, asked before a handshake creates one and told when it ends. The host
/// implements it over the /ws connection registry so that both endpoints share one count per server and per address;
/// without it the server counts its own sessions (<see cref="SocketIOServerOptions.MaxSessions"/>).
/// </summary>
public interface ISocketIOAdmission
{
    /// <summary>Reserves a slot for <paramref name="address"/>; false with the reason when at capacity (HTTP 503).</summary>
    bool TryReserve(string address, out string? refusal);

    /// <summary>Gives back a slot <see cref="TryReserve"/> granted.</summary>
    void Release(string address);
}
