using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;

namespace SpinPet.Server.Tests.Configuration;

public sealed class ConfigurationErrorsTests
{
    private sealed class StockBoundOptions
    {
        public int RpcTimeoutMs { get; set; }
    }

    [Fact]
    public void A_stock_binder_conversion_failure_names_the_key()
    {
        // Options bound elsewhere with the plain binder (the lead's Solana options) fail this way.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Solana:RpcTimeoutMs", "abc")])
            .Build();
        var error = Record.Exception(() => configuration.GetSection("Solana").Get<StockBoundOptions>());

        Assert.NotNull(error);
        Assert.True(ConfigurationErrors.TryDescribe(error, out var problems));
        Assert.Equal(["solana.rpctimeoutms: 'abc' is not a valid integer"], problems);
    }

    [Fact]
    public void Validation_failures_of_several_options_become_one_line_each()
    {
        var error = new AggregateException(
            new OptionsValidationException("", typeof(ServerOptions), ["server.port: 0 is out of range 1..65535"]),
            new OptionsValidationException("", typeof(KlineOptions), ["kline.a: x", "kline.b: y"]));

        Assert.True(ConfigurationErrors.TryDescribe(error, out var problems));
        Assert.Equal(["server.port: 0 is out of range 1..65535", "kline.a: x", "kline.b: y"], problems);
    }

    [Fact]
    public void Other_exceptions_are_left_alone_so_bugs_keep_their_stack_trace()
    {
        Assert.False(ConfigurationErrors.TryDescribe(new InvalidOperationException("Sequence contains no elements"), out var problems));
        Assert.Empty(problems);
        Assert.False(ConfigurationErrors.TryDescribe(
            new AggregateException(new OptionsValidationException("", typeof(ServerOptions), ["server.port: bad"]), new IOException("disk")),
            out _));
    }
}
