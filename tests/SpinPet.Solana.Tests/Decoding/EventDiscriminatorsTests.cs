using System.Text.RegularExpressions;
using SpinPet.Core.Events;
using SpinPet.Solana.Decoding;
using SpinPet.TestSupport;

namespace SpinPet.Solana.Tests.Decoding;

public sealed class EventDiscriminatorsTests
{
    [Theory]
    [InlineData(EventKind.TokenCreated, "TokenCreatedEvent", "607a718a32e39539")]
    [InlineData(EventKind.BuySell, "BuySellEvent", "62d0783c5d2013b4")]
    [InlineData(EventKind.LongShort, "LongShortEvent", "1b4514743afa5fdc")]
    [InlineData(EventKind.ForceLiquidate, "ForceLiquidateEvent", "eac4b769281ace30")]
    [InlineData(EventKind.FullClose, "FullCloseEvent", "16f471f59aa86d8b")]
    [InlineData(EventKind.PartialClose, "PartialCloseEvent", "855e03de1844459b")]
    [InlineData(EventKind.MilestoneDiscount, "MilestoneDiscountEvent", "82e80b2522b98880")]
    public void Computed_discriminator_equals_the_hex_in_events_md(EventKind kind, string name, string hex)
    {
        Assert.Equal(name, EventDiscriminators.NameOf(kind));
        Assert.Equal(hex, EventDiscriminators.ToHex(EventDiscriminators.Of(kind)));
        Assert.True(EventDiscriminators.TryGetKind(EventDiscriminators.Of(kind), out var back));
        Assert.Equal(kind, back);
    }

    [Fact]
    public void Every_row_of_the_events_md_table_matches_the_computed_discriminator()
    {
        // Read the contract itself, so an edit to events.md that the code does not follow fails here.
        var rows = File.ReadLines(RepoPaths.SharedFile("spec", "events.md"))
            .Select(line => Regex.Match(line, @"^\| (\w+Event) \| ([0-9a-f]{16}) \|"))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

        Assert.Equal(7, rows.Count);
        foreach (var kind in EventDiscriminators.Kinds)
        {
            string name = EventDiscriminators.NameOf(kind);
            Assert.Equal(rows[name], EventDiscriminators.ToHex(EventDiscriminators.Compute(name)));
        }
    }

    [Fact]
    public void Discriminators_are_the_first_8_bytes_of_the_vectors()
    {
        foreach (var vector in EventVectors.All)
        {
            Assert.True(EventDiscriminators.TryRead(vector.Payload, out ulong d));
            Assert.True(EventDiscriminators.TryGetKind(d, out var kind));
            Assert.Equal(vector.Event, EventDiscriminators.NameOf(kind));
        }
    }

    [Fact]
    public void An_unknown_discriminator_maps_to_no_kind()
    {
        Assert.False(EventDiscriminators.TryGetKind(0, out _));
        Assert.False(EventDiscriminators.TryGetKind(EventDiscriminators.Compute("SomethingElseEvent"), out _));
        // The name without its "Event" suffix is a different hash.
        Assert.False(EventDiscriminators.TryGetKind(EventDiscriminators.Compute("BuySell"), out _));
    }
}
