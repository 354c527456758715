using SpinPet.Core.Chain;

namespace SpinPet.Server.Api;

/// <summary>
/// The 404 of a route about one mint (<c>/api/kline</c>, <c>/api/events</c>, <c>/api/mint_orders</c>) when no event of
/// that mint is stored (rest.md: 404 for an unknown resource).
/// </summary>
internal static class UnknownMint
{
    public static string Message(PublicKey mint) => $"Unknown mint {mint}: no event of it is stored";
}
