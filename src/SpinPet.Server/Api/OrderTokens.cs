using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Indexing;
using SpinPet.Indexer.Events;
using SpinPet.Indexer.Metadata;
using SpinPet.Solana.Decoding;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

/// <summary>
/// Fills an open order with its mint's latest price, latest trade time, name, symbol and image, for one answer: one
/// mint row, creation-event and metadata read per distinct mint of the page, not per order.
/// </summary>
internal sealed class OrderTokens(SpinPetStore store, PriceScale scale, TokenMetadataReader metadata)
{
    private readonly Dictionary<PublicKey, (MintDetails? Mint, TokenCreatedEvent? Created, string? Image)> _tokens = [];

    public TokenOrderJson Enrich(OpenOrder order)
    {
        if (!_tokens.TryGetValue(order.MintAccount, out var token))
        {
            var details = store.Indexes.GetMint(order.MintAccount);
            token = (details, details is null ? null : StoredEvents.TokenCreation(store, details)?.Event, metadata.Get(order.MintAccount)?.Image);
            _tokens[order.MintAccount] = token;
        }
        var price = token.Mint?.LatestPrice;
        return new TokenOrderJson(OrderJson.From(order))
        {
            LatestPrice = price is { } p ? EventJson.Text(p) : null,
            LatestPriceSol = price is { } raw ? scale.ToSol(raw) : null,
            LatestTradeTime = price is null ? null : token.Mint!.LatestTradeTime,
            Name = token.Created?.Name,
            Symbol = token.Created?.Symbol,
            Image = token.Image,
        };
    }
}
