namespace SpinPet.Indexer.Metadata;

/// <summary>Where a token's metadata is fetched from, and whether that is the configured gateway (trusted) or the uri's own host.</summary>
internal readonly record struct MetadataTarget(Uri Address, bool ViaGateway);
