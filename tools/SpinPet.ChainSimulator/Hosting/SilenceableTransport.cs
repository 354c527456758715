using System.IO.Pipelines;

namespace SpinPet.ChainSimulator.Hosting;

/// <summary>
/// A switch per TCP connection, found by the request handler as a connection feature. Once on, the connection's
/// incoming bytes are held unread (so a WebSocket ping is never seen, never answered) until the peer closes.
/// </summary>
internal sealed class ConnectionSilence
{
    private volatile bool _on;

    public bool IsOn => _on;

    public void TurnOn() => _on = true;
}

/// <summary>A connection's transport whose input stops delivering bytes, but still reports the end, once silenced.</summary>
internal sealed class SilenceableTransport(IDuplexPipe inner, ConnectionSilence silence) : IDuplexPipe
{
    public PipeReader Input { get; } = new SilenceableReader(inner.Input, silence);

    public PipeWriter Output => inner.Output;

    private sealed class SilenceableReader(PipeReader inner, ConnectionSilence silence) : PipeReader
    {
        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (!silence.IsOn || result.IsCompleted || result.IsCanceled)
                {
                    return result;
                }
                // Examined but not consumed: the bytes stay buffered and the next read waits for more, or for the end.
                inner.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }
            if (!silence.IsOn || result.IsCompleted || result.IsCanceled)
            {
                return true;
            }
            inner.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = default;
            return false;
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }
}
