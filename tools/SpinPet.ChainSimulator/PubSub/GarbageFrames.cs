using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using SimpleBase;
using SpinPet.ChainSimulator.Borsh;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.PubSub;

/// <summary>
/// Frames a broken proxy or a buggy node can send, for <see cref="SimulatorFaults.SendGarbage"/>. The notification
/// for an unknown subscription carries a well-formed SpinPet event, so a client that forgets to check the
/// subscription id stores an event that never happened and its test fails.
/// </summary>
internal sealed class GarbageFrames
{
    public const int HugeFrameBytes = 2 * 1024 * 1024;

    private const ulong UnknownSubscription = 987_654_321;

    private readonly byte[] _huge = BuildHuge();
    private readonly byte[] _unknownSubscription;

    public GarbageFrames(string programId)
    {
        // Unknown subscription ids say nothing about the program, so the frame names the real program.
        _unknownSubscription = Encoding.UTF8.GetBytes(Invariant(
            $$$"""{"jsonrpc":"2.0","method":"logsNotification","params":{"result":{"context":{"slot":1},"value":{"signature":"{{{FakeSignature()}}}","err":null,"logs":["Program {{{programId}}} invoke [1]","Program data: {{{FakeEvent()}}}","Program {{{programId}}} success"]}},"subscription":{{{UnknownSubscription}}}}}"""));
    }

    public IEnumerable<OutgoingFrame> For(PubSubConnection connection)
    {
        ulong subscription = connection.Subscriptions.FirstOrDefault(static s => s.Kind == SubscriptionKind.Logs).Id;
        yield return OutgoingFrame.Text("this is not JSON {\"jsonrpc\":"u8.ToArray());
        yield return OutgoingFrame.Text(Encoding.UTF8.GetBytes(Invariant(
            $$$"""{"jsonrpc":"2.0","method":"logsNotification","params":{"result":{"context":{"slot":"abc"},"value":{"signature":42,"err":"nope","logs":"not an array"}},"subscription":{{{subscription}}}}}""")));
        yield return OutgoingFrame.Text(_unknownSubscription);
        yield return OutgoingFrame.Text(Encoding.UTF8.GetBytes(Invariant(
            $$$"""{"jsonrpc":"2.0","method":"blockNotification","params":{"result":{"context":{"slot":1},"value":null},"subscription":{{{subscription}}}}}""")));
        yield return OutgoingFrame.Text(_huge);
        yield return new OutgoingFrame(new byte[] { 0x82, 0x00, 0xFF, 0xFE, 0x01, 0x02, 0x03, 0x04 }, WebSocketMessageType.Binary, IsNotification: false);
    }

    private static byte[] BuildHuge()
    {
        string head = $$$"""{"jsonrpc":"2.0","method":"logsNotification","params":{"result":{"context":{"slot":1},"value":{"signature":"{{{FakeSignature()}}}","err":null,"logs":["Program log: """;
        string tail = Invariant($$$"""
"]}},"subscription":{{{UnknownSubscription}}}}}
""");
        var bytes = new byte[HugeFrameBytes];
        Encoding.UTF8.GetBytes(head).CopyTo(bytes, 0);
        bytes.AsSpan(head.Length, HugeFrameBytes - head.Length - tail.Length).Fill((byte)'x');
        Encoding.UTF8.GetBytes(tail).CopyTo(bytes, HugeFrameBytes - tail.Length);
        return bytes;
    }

    private static string FakeSignature() => Base58.Bitcoin.Encode(Enumerable.Repeat((byte)0x22, TxSignature.Length).ToArray());

    private static string FakeEvent() => Convert.ToBase64String(EventEncoder.Encode(new BuySellEvent
    {
        Payer = new PublicKey(Enumerable.Repeat((byte)0x11, PublicKey.Length).ToArray()),
        MintAccount = new PublicKey(Enumerable.Repeat((byte)0x33, PublicKey.Length).ToArray()),
        IsBuy = true,
        TokenAmount = 1,
        SolAmount = 1,
        Price = 1,
    }));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
