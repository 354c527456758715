using SpinPet.ChainSimulator.Borsh;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>
/// Payloads of the program's <c>Program data:</c> lines that a strict decoder must not accept as events
/// (shared/spec/events.md, "Which log lines are events"): each is broken in exactly one way.
/// </summary>
internal sealed class MalformedPayloads(Entropy entropy)
{
    // Where BuySellEvent's is_buy sits (after payer and mint_account), and TokenCreatedEvent's first name byte
    // (after eight pubkeys, swap_fee u16, borrow_fee u16, fee_discount_flag u8 and the name's u32 length).
    private const int IsBuyOffset = Discriminators.Length + (2 * PublicKey.Length);
    private const int NameOffset = Discriminators.Length + (8 * PublicKey.Length) + 2 + 2 + 1 + 4;

    // A lone continuation byte, a lead byte followed by ASCII, and a byte UTF-8 never uses.
    private static readonly byte[] NotUtf8 = [0x80, 0xC0, 0xFF];

    /// <summary>A strict prefix of the event's encoding (at least the discriminator): every layout needs all its fields.</summary>
    public byte[] ShortBody(SpinPetEvent spinPetEvent)
    {
        byte[] whole = EventEncoder.Encode(spinPetEvent);
        return whole[..entropy.Next(Discriminators.Length, whole.Length)];
    }

    /// <summary>A BuySellEvent whose is_buy byte is 2…255.</summary>
    public byte[] InvalidBool()
    {
        byte[] payload = EventEncoder.Encode(new BuySellEvent
        {
            Payer = entropy.NewKey(),
            MintAccount = entropy.NewKey(),
            IsBuy = true,
            TokenAmount = entropy.LogUniform(1_000_000, 1_000_000_000_000),
            SolAmount = entropy.LogUniform(1_000_000, 10_000_000_000),
            Price = entropy.LogUniform(1_000_000_000_000_000_000, ulong.MaxValue),
        });
        payload[IsBuyOffset] = (byte)entropy.Next(2, 256);
        return payload;
    }

    /// <summary>A TokenCreatedEvent whose name starts with a byte that cannot start UTF-8 there.</summary>
    public byte[] InvalidUtf8()
    {
        byte[] payload = EventEncoder.Encode(new TokenCreatedEvent
        {
            Payer = entropy.NewKey(),
            MintAccount = entropy.NewKey(),
            CurveAccount = entropy.NewKey(),
            PoolTokenAccount = entropy.NewKey(),
            PoolSolAccount = entropy.NewKey(),
            FeeRecipient = entropy.NewKey(),
            BaseFeeRecipient = entropy.NewKey(),
            ParamsAccount = entropy.NewKey(),
            SwapFee = 100,
            BorrowFee = 300,
            FeeDiscountFlag = 0,
            Name = "Broken name",
            Symbol = "BRKN",
            Uri = "https://ipfs.io/ipfs/broken",
        });
        payload[NameOffset] = entropy.Pick(NotUtf8);
        return payload;
    }

    /// <summary>Eight bytes that are none of the seven discriminators, then 0…199 random body bytes.</summary>
    public byte[] UnknownDiscriminator()
    {
        var payload = new byte[Discriminators.Length + entropy.Next(0, 200)];
        do
        {
            entropy.Fill(payload.AsSpan(0, Discriminators.Length));
        }
        while (Discriminators.IsEvent(payload.AsSpan(0, Discriminators.Length)));
        entropy.Fill(payload.AsSpan(Discriminators.Length));
        return payload;
    }
}
