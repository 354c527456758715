namespace SpinPet.ChainSimulator.Generation;

/// <summary>
/// Names for launched tokens. Some are not ASCII (CJK, accents, an emoji outside the BMP) because real launchpads
/// carry such names and the Borsh strings must survive them byte for byte.
/// </summary>
internal static class TokenCatalog
{
    private static readonly (string Name, string Symbol)[] Tokens =
    [
        ("Spin Pet", "SPET"),
        ("Lucky Cat", "LCAT"),
        ("小狗币", "狗狗"),
        ("Rocket Frog 🚀", "RFROG"),
        ("Moon Hamster", "MHAM"),
        ("Café Crème", "CAFE"),
        ("Pixel Koi", "KOI"),
        ("Turbo Shiba", "TSHIB"),
        ("Bao Bao", "BAO"),
        ("Neon Otter", "OTTER"),
        ("Sleepy Panda", "PANDA"),
        ("Gigachad Goose", "GOOSE"),
    ];

    public static (string Name, string Symbol) For(int index)
    {
        var (name, symbol) = Tokens[index % Tokens.Length];
        int round = index / Tokens.Length;
        return round == 0 ? (name, symbol) : ($"{name} {round + 1}", $"{symbol}{round + 1}");
    }
}
