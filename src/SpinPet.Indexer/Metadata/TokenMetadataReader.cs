using System.Text.Json;
using Microsoft.Extensions.Options;
using SpinPet.Core.Chain;
using SpinPet.Storage;

namespace SpinPet.Indexer.Metadata;

/// <summary>
/// Token metadata for the REST answers (<c>uri_data</c>, <c>image</c>): one point lookup per mint in
/// <c>token_metadata</c>; null while the metadata is not fetched, failed, or <c>ipfs.gateway_url</c> is unset.
/// </summary>
public sealed class TokenMetadataReader(SpinPetStore store, IOptions<IpfsOptions> options)
{
    private readonly Uri? _gateway = options.Value.Enabled ? MetadataUri.GatewayBase(options.Value.GatewayUrl!) : null;

    public TokenMetadataDocument? Get(PublicKey mint)
    {
        if (_gateway is null || store.TokenMetadata.Get(mint) is not { State: TokenMetadataState.Fetched } stored)
        {
            return null;
        }
        var document = JsonSerializer.Deserialize(stored.Content, MetadataJsonContext.Default.TokenMetadataDocument);
        // ipfs:// images are stored as given and served as a gateway URL a browser can load.
        return document is null ? null : document with { Image = MetadataUri.BrowserImage(document.Image, _gateway) };
    }
}
