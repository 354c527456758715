using Microsoft.Extensions.Options;
using SpinPet.Server.Candles;
using SpinPet.Server.Configuration;
using SpinPet.Server.Hosting;
using SpinPet.Server.Simulation;
using SpinPet.Server.Web;

var mode = RunMode.Parse(args);
if (mode.Help || mode.UnknownFlags.Count > 0)
{
    foreach (var flag in mode.UnknownFlags)
    {
        Console.Error.WriteLine($"unknown option: {flag}");
    }
    Console.Error.WriteLine(RunMode.Usage);
    return mode.Help && mode.UnknownFlags.Count == 0 ? 0 : ConfigurationErrors.ExitCode;
}

try
{
    var configurationArgs = SpinPetConfiguration.ConfigurationArguments(args);
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = configurationArgs, WebRootPath = ChartPage.WebRoot });
    builder.Configuration.AddSpinPetSources(builder.Environment.ContentRootPath, configurationArgs);
    await SimulatorMode.StartIfRequestedAsync(builder, mode);

    builder.AddSpinPetLogging();
    builder.AddSpinPetServer();

    var app = builder.Build();
    // Every section's problems at once, before anything opens the store or listens: ValidateOnStart alone would run
    // them only when the host starts, after the routes were built and the store opened.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    if (mode.RebuildCandles)
    {
        return CandleRebuildCommand.Run(app);
    }
    app.UseSpinPetMiddleware();
    app.MapSpinPetEndpoints();

    await app.RunAsync();
    return 0;
}
catch (SpinPet.Storage.StoreOpenException e)
{
    // Storage is the record of what was ingested: without it the server must not run (nor write a new store
    // over a damaged one). One clear line, no stack trace; exit code 3.
    Console.Error.WriteLine($"storage: {e.Message}");
    Console.Error.WriteLine("Check database.rocksdb_path (SPIN_DATABASE__ROCKSDB_PATH): another server may hold it, or its files are damaged.");
    return StorageFailureExitCode;
}
catch (Exception e) when (ConfigurationErrors.TryDescribe(e, out var problems))
{
    foreach (var problem in problems)
    {
        Console.Error.WriteLine(problem);
    }
    return ConfigurationErrors.ExitCode;
}

/// <summary>The program's entry point (top-level statements) and its exit codes.</summary>
internal static partial class Program
{
    /// <summary>The store could not be opened (damaged, locked by another process, no permission).</summary>
    public const int StorageFailureExitCode = 3;
}
