namespace SpinPet.Streaming.Sessions;

/// <summary>Why an outbox refused a message (and its client is closed as a slow consumer, 1008).</summary>
public enum OutboxOverflow
{
    None,

    /// <summary>The connection's own bound, <c>websocket.max_outbox_bytes</c>.</summary>
    Bound,

    /// <summary>Its address's connections together hold <c>websocket.max_outbox_bytes_per_ip</c> beyond their free allowances.</summary>
    AddressBudget,

    /// <summary>All connections together hold <c>websocket.max_outbox_bytes_total</c> beyond their free allowances.</summary>
    ProcessBudget,
}
