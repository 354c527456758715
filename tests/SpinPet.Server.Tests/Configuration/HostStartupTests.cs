using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpinPet.Server.Configuration;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Configuration;

/// <summary>The wiring Program.cs uses, on a real host: the failure surfaces from start-up and reads as one line.</summary>
public sealed class HostStartupTests
{
    [Fact]
    public async Task A_host_with_a_bad_value_stops_at_start_with_a_line_naming_the_key()
    {
        // The host's own default command-line source sees the raw arguments too (and files `--simulator`'s
        // neighbour under "simulator"); binding must cope with that.
        string[] args = ["--simulator", "--kline:volume_unit=lamports"];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = RepoPaths.Root });
        builder.Configuration.AddSpinPetSources(builder.Environment.ContentRootPath, args, new Dictionary<string, string>());
        builder.Services.AddSpinPetOptions(builder.Configuration);
        using var host = builder.Build();

        var error = await Record.ExceptionAsync(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.NotNull(error);
        Assert.True(ConfigurationErrors.TryDescribe(error, out var problems), error.ToString());
        Assert.Equal(["kline.volume_unit: 'lamports' must be none, sol or token"], problems);
    }

    [Fact]
    public async Task A_host_with_the_shipped_defaults_starts()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = RepoPaths.Root });
        builder.Configuration.AddSpinPetSources(builder.Environment.ContentRootPath, [], new Dictionary<string, string>());
        builder.Services.AddSpinPetOptions(builder.Configuration);
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
