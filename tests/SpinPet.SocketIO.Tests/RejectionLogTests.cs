using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace SpinPet.SocketIO.Tests;

public sealed class RejectionLogTests
{
    [Fact]
    public void A_flood_writes_one_warning_a_second_with_the_number_held_back()
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger();
        var log = new RejectionLog(logger, time);
        for (int i = 0; i < 5; i++)
        {
            log.Rejected("bad", "10.0.0.1", "sid", "4x"u8);
        }
        Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning);
        Assert.Equal(4, logger.Lines.Count(l => l.Level == LogLevel.Debug));

        time.Advance(TimeSpan.FromSeconds(1));
        log.Rejected("bad", "10.0.0.1", "sid", "4x"u8);
        var second = logger.Lines.Where(l => l.Level == LogLevel.Warning).Last();
        Assert.Contains("4 similar rejection(s)", second.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_excerpt_is_bounded_and_shows_control_characters_as_question_marks()
    {
        string excerpt = RejectionLog.Excerpt("4\u0001\u001e"u8.ToArray().Concat(new byte[500].Select(_ => (byte)'x')).ToArray());
        Assert.StartsWith("4??x", excerpt, StringComparison.Ordinal);
        Assert.Equal(121, excerpt.Length);
        Assert.EndsWith("…", excerpt, StringComparison.Ordinal);
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Text)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
