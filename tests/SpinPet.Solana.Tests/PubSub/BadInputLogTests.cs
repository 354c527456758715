using System.Text;
using Microsoft.Extensions.Logging;
using SpinPet.Solana.PubSub;
using SpinPet.Solana.Tests.Support;

namespace SpinPet.Solana.Tests.PubSub;

public sealed class BadInputLogTests
{
    [Fact]
    public void A_flood_of_one_kind_logs_one_warning_a_second_with_the_count_suppressed_since()
    {
        var logger = new RecordingLogger();
        var time = new ManualTime();
        var log = new BadInputLog(logger, time);

        for (int i = 0; i < 500; i++)
        {
            log.Report(BadInputKind.NotJson, "not json"u8);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.Single(logger.Lines);
        time.Advance(TimeSpan.FromSeconds(1));
        log.Report(BadInputKind.NotJson, "still not json"u8);

        var lines = logger.At(LogLevel.Warning).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal("Ignored bad PubSub input (NotJson): not json [0 more of this kind since the previous report]", lines[0]);
        Assert.Equal("Ignored bad PubSub input (NotJson): still not json [499 more of this kind since the previous report]", lines[1]);
    }

    [Fact]
    public void Each_kind_has_its_own_schedule()
    {
        var logger = new RecordingLogger();
        var log = new BadInputLog(logger, new ManualTime());

        log.Report(BadInputKind.NotJson, "x"u8);
        log.Report(BadInputKind.UnknownSubscription, "y"u8);
        log.Report(BadInputKind.BadSignature, "z");
        log.Report(BadInputKind.NotJson, "x"u8);

        Assert.Equal(3, logger.At(LogLevel.Warning).Count());
    }

    [Fact]
    public void Excerpts_are_short_and_single_line()
    {
        var frame = Encoding.UTF8.GetBytes("line one\nline two\r\n" + new string('x', 5000));
        string excerpt = BadInputLog.Excerpt(frame);
        Assert.DoesNotContain('\n', excerpt);
        Assert.DoesNotContain('\r', excerpt);
        Assert.StartsWith("line one?line two??xxx", excerpt, StringComparison.Ordinal);
        Assert.EndsWith($"({frame.Length} in all)", excerpt, StringComparison.Ordinal);
        Assert.True(excerpt.Length < 160, excerpt);
    }
}
