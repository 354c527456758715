using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>Identifies a topic the way its keys do: by mint and interval length in seconds.</summary>
internal readonly record struct CandleTopicId(PublicKey Mint, uint Seconds);
