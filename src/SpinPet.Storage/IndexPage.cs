namespace SpinPet.Storage;

/// <summary>
/// One page of an index read. <see cref="Next"/> is the opaque key suffix to pass back as <c>after</c> for the next
/// page (the last key visited), null when nothing follows.
/// </summary>
public sealed record IndexPage<T>(IReadOnlyList<T> Items, bool HasMore, byte[]? Next);
