using SpinPet.Core.Stream;
using SpinPet.Storage;

namespace SpinPet.Indexer.Tests.Stream;

/// <summary>
/// One node of a batch stream implementation, for <see cref="BatchStreamContract"/>: the stream to append to and the
/// store its batches are applied into (intervals s1, s30, m5; default price scale; volume in SOL).
/// </summary>
public interface IStreamUnderTest : IAsyncDisposable
{
    IBatchStream Stream { get; }

    /// <summary>The store this node applies the stream into.</summary>
    SpinPetStore Store { get; }

    /// <summary>Returns once the node has applied the stream up to <paramref name="position"/> (at once where append = apply).</summary>
    Task WaitAppliedAsync(StreamPosition position, CancellationToken cancellationToken);
}
