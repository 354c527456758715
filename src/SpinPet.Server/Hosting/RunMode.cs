namespace SpinPet.Server.Hosting;

/// <summary>
/// The command line splits in two: <c>--section:key=value</c> settings (configuration) and bare flags that pick
/// a run mode. <c>--rebuild-candles</c> recomputes the candles from the event log and exits; <c>--simulator</c> starts the built-in chain simulator and follows it (the offline demo).
/// </summary>
internal sealed record RunMode(bool Simulator, bool RebuildCandles, bool Help, IReadOnlyList<string> UnknownFlags)
{
    public static RunMode Parse(string[] args)
    {
        bool simulator = false, rebuild = false, help = false;
        var unknown = new List<string>();
        foreach (var arg in args)
        {
            if (arg.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }
            switch (arg)
            {
                case "--simulator":
                    simulator = true;
                    break;
                case "--rebuild-candles":
                    rebuild = true;
                    break;
                case "--help" or "-h":
                    help = true;
                    break;
                default:
                    unknown.Add(arg);
                    break;
            }
        }
        return new RunMode(simulator, rebuild, help, unknown);
    }

    public const string Usage = """
        SpinPet K-line server

          dotnet run --project src/SpinPet.Server [-- options]

        Options:
          --simulator             start the built-in chain simulator on loopback and index it (offline demo)
          --rebuild-candles       recompute every candle from the stored event log, then exit (server stopped)
          --section:key=value     override a configuration key, e.g. --server:port=9000
          --help                  show this text

        Configuration: config/default.toml, then config/{SPIN_ENV}.toml, then SPIN_SECTION__KEY environment
        variables, then the command line (later wins). See README.md.
        """;
}
