using SpinPet.Core.Candles;
using SpinPet.Core.Chain;

namespace SpinPet.Streaming.Topics;

/// <summary>A K-line topic: one mint's candles of one interval.</summary>
public readonly record struct TopicKey(PublicKey Mint, Interval Interval);
