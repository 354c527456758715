using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>
/// One <c>Program data:</c> line written by the program itself, at log line <paramref name="Line"/>: an event
/// (with <paramref name="TrailingBytes"/> appended to its body, usually none) or, when <paramref name="Event"/> is
/// null, malformed data of the given kind. <paramref name="Payload"/> is the line's decoded bytes.
/// </summary>
internal readonly record struct OwnDataLine(int Line, SpinPetEvent? Event, byte[] Payload, MalformedDataKind? Malformed, int TrailingBytes);
