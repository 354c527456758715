namespace SpinPet.Server.Configuration;

/// <summary>
/// A configuration file is missing, is not valid TOML, or cannot be mapped onto configuration keys.
/// The message names the file (and the line and column when known) so an operator can fix it without a stack trace.
/// </summary>
internal sealed class ConfigurationFileException : Exception
{
    public ConfigurationFileException(string origin, string problem, int? line = null, int? column = null, Exception? innerException = null)
        : base(Format(origin, problem, line, column), innerException)
    {
        Origin = origin;
        Problem = problem;
        Line = line;
        Column = column;
    }

    /// <summary>The file, or the <c>SPIN_ENV</c> variable when the name it gives cannot be a file name.</summary>
    public string Origin { get; }

    public string Problem { get; }

    /// <summary>1-based line, when the parser reported one.</summary>
    public int? Line { get; }

    /// <summary>1-based column, when the parser reported one.</summary>
    public int? Column { get; }

    private static string Format(string origin, string problem, int? line, int? column) =>
        line is { } l
            ? column is { } c ? $"{origin}, line {l}, column {c}: {problem}" : $"{origin}, line {l}: {problem}"
            : $"{origin}: {problem}";
}
