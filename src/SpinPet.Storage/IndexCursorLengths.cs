using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>
/// The length of the <see cref="IndexPage{T}.Next"/> cursor of each <see cref="RestIndexStore"/> list (the key suffix
/// after the list's prefix), so a reader can refuse a cursor of the wrong length before asking the store, which
/// treats one as a programming error.
/// </summary>
public static class IndexCursorLengths
{
    /// <summary><see cref="RestIndexStore.ReadMintEvents"/> and <see cref="RestIndexStore.ReadUserEvents"/>: a chain position.</summary>
    public const int Events = IndexKeys.OwnerPositionLength - PublicKey.Length;

    /// <summary><see cref="RestIndexStore.ReadMints"/>, every order: position ‖ mint.</summary>
    public const int Mints = IndexKeys.PositionMintLength;

    /// <summary><see cref="RestIndexStore.ReadMintOrders"/>: lock_lp_start_price ‖ order PDA.</summary>
    public const int MintOrders = IndexKeys.MintOrderLength - IndexKeys.MintOrderPrefixLength;

    /// <summary><see cref="RestIndexStore.ReadUserOrders"/>: start_time ‖ order PDA.</summary>
    public const int UserOrders = IndexKeys.UserOrderLength - PublicKey.Length;
}
