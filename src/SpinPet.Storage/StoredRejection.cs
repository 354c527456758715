using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>
/// A payload of ours that did not decode, kept with where it happened and why, so that it can be replayed after a
/// decoder fix.
/// </summary>
public sealed record StoredRejection(
    TxSignature Signature,
    ChainPosition Position,
    long BlockTime,
    string Reason,
    ReadOnlyMemory<byte> Payload);
