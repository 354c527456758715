namespace SpinPet.Solana.Decoding;

/// <summary>What <see cref="EventDecoder.TryDecode"/> made of one <c>Program data:</c> payload.</summary>
public enum DecodeStatus : byte
{
    /// <summary>The body matched its layout exactly.</summary>
    Ok = 0,

    /// <summary>A complete body followed by extra bytes: accepted, since a newer program may append fields.</summary>
    OkWithTrailingBytes = 1,

    /// <summary>The first 8 bytes are none of the seven SpinPet discriminators.</summary>
    UnknownDiscriminator = 2,

    /// <summary>The payload ends before its layout does (including payloads under 8 bytes).</summary>
    TooShort = 3,

    /// <summary>A bool byte that is neither 0 nor 1.</summary>
    InvalidBool = 4,

    /// <summary>A string whose bytes are not well-formed UTF-8.</summary>
    InvalidUtf8 = 5,
}
