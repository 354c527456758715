using System.Globalization;

namespace SpinPet.ChainSimulator;

/// <summary>The executable's arguments: <c>--rpc-port 8899 --ws-port 8900 --mints 10 --tps 20 --seed 1</c>.</summary>
internal sealed record CommandLine(SimulatorOptions Options, double TransactionsPerSecond)
{
    public const string Usage =
        "usage: SpinPet.ChainSimulator [--rpc-port 8899] [--ws-port 8900] [--host 127.0.0.1] [--mints 10] [--tps 20] [--seed 1] [--program-id <base58>] [--malformed-rate 0]";

    /// <summary>Parses the arguments; on failure <paramref name="problem"/> says why (null for --help).</summary>
    public static bool TryParse(string[] args, out CommandLine commandLine, out string? problem)
    {
        commandLine = new CommandLine(new SimulatorOptions(), 0);
        int rpcPort = 8899;
        int wsPort = 8900;
        int mints = 10;
        int seed = 1;
        double tps = 20;
        double malformedRate = 0;
        string host = "127.0.0.1";
        string programId = new SimulatorOptions().ProgramId;
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
                problem = $"{name} needs a value.";
                return false;
            }
            string value = args[++i];
            bool ok = name switch
            {
                "--rpc-port" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out rpcPort),
                "--ws-port" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out wsPort),
                "--mints" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out mints),
                "--seed" => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed),
                "--tps" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out tps) && tps >= 0,
                "--malformed-rate" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out malformedRate),
                "--host" => (host = value).Length > 0,
                "--program-id" => (programId = value).Length > 0,
                _ => false,
            };
            if (!ok)
            {
                problem = $"Unknown option or bad value: {name} {value}";
                return false;
            }
        }
        var options = new SimulatorOptions
        {
            RpcPort = rpcPort,
            WsPort = wsPort,
            Host = host,
            MintCount = mints,
            Seed = seed,
            ProgramId = programId,
            MalformedDataRate = malformedRate,
            Clock = SimulatorClock.Wall,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException exception)
        {
            problem = exception.Message;
            return false;
        }
        commandLine = new CommandLine(options, tps);
        problem = null;
        return true;
    }
}
