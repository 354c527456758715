namespace SpinPet.EndToEnd.Tests.Wire;

/// <summary>Compares two transcripts line by line and fails with the first lines that differ, not two whole files.</summary>
internal static class WireDiff
{
    public static void AssertEqual(string expected, string actual)
    {
        var want = expected.Split('\n');
        var got = actual.Split('\n');
        for (int i = 0; i < Math.Max(want.Length, got.Length); i++)
        {
            string? a = i < want.Length ? want[i] : null;
            string? b = i < got.Length ? got[i] : null;
            if (a != b)
            {
                Assert.Fail(
                    $"The wire output differs from the recorded transcript at line {i + 1}:\n" +
                    $"recorded: {a ?? "(end of transcript)"}\n" +
                    $"now:      {b ?? "(end of output)"}\n" +
                    "If the change is intended, record again with SPINPET_RECORD_WIRE=1 and review the diff.");
            }
        }
    }
}
