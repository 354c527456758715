using System.Globalization;
using System.Text;
using SimpleBase;
using SpinPet.ChainSimulator.Borsh;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.PubSub;

/// <summary>
/// Logs notifications on the connection's real logs subscription whose <c>value.signature</c> is not a transaction
/// signature, for <see cref="SimulatorFaults.SendBadSignatureNotifications"/>: text outside the base58 alphabet, and
/// valid base58 of 32 bytes (a public key's length, not a signature's 64). Their logs carry a well-formed event of
/// the program, so a client that stores them anyway under some signature fails its ledger comparison.
/// </summary>
internal static class BadSignatureFrames
{
    /// <summary>'0', 'O', 'I' and 'l' are not in the base58 alphabet; '-' is not either.</summary>
    public const string NotBase58 = "0OIl-not-base58-signature";

    /// <summary>Base58 of 32 bytes: parses as base58, but a signature is 64 bytes.</summary>
    public static readonly string WrongLength = Base58.Bitcoin.Encode(Enumerable.Repeat((byte)0x44, PublicKey.Length).ToArray());

    public static IEnumerable<OutgoingFrame> For(PubSubConnection connection, string programId, ulong slot)
    {
        foreach (var subscription in connection.Subscriptions)
        {
            if (subscription.Kind != SubscriptionKind.Logs)
            {
                continue;
            }
            foreach (string signature in (string[])[NotBase58, WrongLength])
            {
                yield return OutgoingFrame.Text(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $$$"""{"jsonrpc":"2.0","method":"logsNotification","params":{"result":{"context":{"slot":{{{slot}}}},"value":{"signature":"{{{signature}}}","err":null,"logs":["Program {{{programId}}} invoke [1]","Program data: {{{Event()}}}","Program {{{programId}}} success"]}},"subscription":{{{subscription.Id}}}}}""")));
            }
        }
    }

    private static string Event() => Convert.ToBase64String(EventEncoder.Encode(new BuySellEvent
    {
        Payer = new PublicKey(Enumerable.Repeat((byte)0x55, PublicKey.Length).ToArray()),
        MintAccount = new PublicKey(Enumerable.Repeat((byte)0x66, PublicKey.Length).ToArray()),
        IsBuy = true,
        TokenAmount = 1_000_000,
        SolAmount = 1_000_000,
        Price = 1_000_000_000_000_000_000,
    }));
}
