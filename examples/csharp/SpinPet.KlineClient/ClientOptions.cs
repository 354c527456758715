using System.Globalization;

namespace SpinPet.KlineClient;

/// <summary>Command-line options: <c>--url ws://localhost:8080/ws --symbol &lt;mint&gt; [--interval s1] [--max-updates N]</c>.</summary>
internal sealed record ClientOptions(Uri Url, string Symbol, string Interval, int? MaxUpdates)
{
    public const string Usage =
        "usage: SpinPet.KlineClient --symbol <mint> [--url ws://localhost:8080/ws] [--interval s1] [--max-updates N]\n" +
        "  --symbol       the mint to follow (connection_success.supported_symbols lists the active ones)\n" +
        "  --max-updates  exit 0 after N kline_data messages (without it: run until Ctrl+C)\n" +
        "exit codes: 0 done, 1 error message from the server or connection closed, 2 bad arguments";

    public static bool TryParse(string[] args, out ClientOptions options, out string? problem)
    {
        var url = new Uri("ws://localhost:8080/ws");
        string? symbol = null;
        string interval = "s1";
        int? maxUpdates = null;
        options = null!;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                problem = null;
                return false;
            }
            if (i + 1 >= args.Length)
            {
                problem = $"{name} needs a value";
                return false;
            }
            string value = args[++i];
            switch (name)
            {
                case "--url" when Uri.TryCreate(value, UriKind.Absolute, out var parsed) && parsed.Scheme is "ws" or "wss":
                    url = parsed;
                    break;
                case "--url":
                    problem = $"--url: '{value}' is not a ws:// or wss:// URL";
                    return false;
                case "--symbol":
                    symbol = value;
                    break;
                case "--interval":
                    interval = value;
                    break;
                case "--max-updates" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0:
                    maxUpdates = n;
                    break;
                case "--max-updates":
                    problem = $"--max-updates: '{value}' is not a positive integer";
                    return false;
                default:
                    problem = $"unknown option: {name}";
                    return false;
            }
        }
        if (string.IsNullOrWhiteSpace(symbol))
        {
            problem = "--symbol is required";
            return false;
        }
        options = new ClientOptions(url, symbol, interval, maxUpdates);
        problem = null;
        return true;
    }
}
