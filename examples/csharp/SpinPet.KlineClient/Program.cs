using SpinPet.KlineClient;

if (!ClientOptions.TryParse(args, out var options, out var problem))
{
    if (problem is not null)
    {
        Console.Error.WriteLine(problem);
    }
    Console.Error.WriteLine(ClientOptions.Usage);
    return problem is null ? 0 : 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Ctrl+C closes the connection cleanly instead of killing the process.
    e.Cancel = true;
    cancel.Cancel();
};
return await new KlineClient(options, Console.Out, Console.Error).RunAsync(cancel.Token);
