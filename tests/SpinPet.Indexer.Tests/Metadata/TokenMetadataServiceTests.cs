using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using SpinPet.Indexer.Metadata;
using SpinPet.Storage;
using SpinPet.TestSupport.Http;
using static SpinPet.Indexer.Tests.Metadata.MetadataHarness;

namespace SpinPet.Indexer.Tests.Metadata;

/// <summary>The background metadata fetcher against a real HTTP gateway on loopback: good, slow, failing and bad answers.</summary>
public sealed class TokenMetadataServiceTests
{
    private static string Path(int token) => $"/ipfs/{Cid(token)}";

    private static string Document(int token) =>
        $$"""{"name":"Token {{token}}","symbol":"T{{token}}","description":"metadata of {{token}}","image":"ipfs://{{Cid(token)}}/logo.png","twitter":"https://x.com/t{{token}}","attributes":[1,2]}""";

    [Fact]
    public async Task Good_json_is_fetched_once_stored_and_served_with_a_browser_image_url()
    {
        await using var harness = await StartAsync(c => JsonAsync(c, Document(1)));
        harness.CreateTokens((1, $"ipfs://{Cid(1)}"));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Stored(1) is not null, "metadata of token 1 stored");

        Assert.Equal(TokenMetadataState.Fetched, harness.Stored(1)!.State);
        var served = harness.Reader.Get(Mint(1))!;
        Assert.Equal("Token 1", served.Name);
        Assert.Equal("T1", served.Symbol);
        Assert.Equal("metadata of 1", served.Description);
        Assert.Equal("https://x.com/t1", served.Twitter);
        Assert.Equal(new Uri(harness.Gateway.GatewayUrl, $"{Cid(1)}/logo.png").AbsoluteUri, served.Image);
        Assert.Equal(1, harness.Gateway.Hits(Path(1)));
        Assert.Equal(1, harness.Counters.Fetched);
    }

    [Fact]
    public async Task A_slow_answer_times_out_is_retried_and_given_up_while_other_tokens_proceed()
    {
        await using var harness = await StartAsync(async c =>
        {
            if (c.Request.Path == Path(1))
            {
                await Task.Delay(TimeSpan.FromSeconds(30), c.RequestAborted);
            }
            await JsonAsync(c, Document(2));
        });
        harness.Options = harness.Options with { TimeoutMs = 300 };
        harness.CreateTokens((1, $"https://ipfs.io/ipfs/{Cid(1)}"), (2, $"https://ipfs.io/ipfs/{Cid(2)}"));
        var clock = Stopwatch.StartNew();

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Counters.GaveUp == 1, "the slow token given up");

        // 3 attempts of 0.3 s plus short back-offs: far from the 30 s the gateway would take.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(3, harness.Gateway.Hits(Path(1)));
        Assert.Equal(2, harness.Counters.Retries);
        Assert.Equal(TokenMetadataState.GaveUp, harness.Stored(1)!.State);
        Assert.Equal("timed out after 300 ms (3 attempts)", harness.Stored(1)!.Content);
        await harness.WaitForAsync(() => harness.Stored(2) is not null, "the other token fetched");
        Assert.Equal(TokenMetadataState.Fetched, harness.Stored(2)!.State);
    }

    [Fact]
    public async Task A_500_then_success_is_retried_and_stored()
    {
        int calls = 0;
        await using var harness = await StartAsync(c =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                c.Response.StatusCode = 500;
                return Task.CompletedTask;
            }
            return JsonAsync(c, Document(1));
        });
        harness.CreateTokens((1, $"ipfs://{Cid(1)}"));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Stored(1) is not null, "metadata stored after a retry");

        Assert.Equal(TokenMetadataState.Fetched, harness.Stored(1)!.State);
        Assert.Equal(2, harness.Gateway.Hits(Path(1)));
        Assert.Equal(1, harness.Counters.Retries);
        Assert.Equal(0, harness.Counters.Failed);
    }

    [Fact]
    public async Task A_429_is_retried_after_the_time_retry_after_asks_for()
    {
        var times = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        await using var harness = await StartAsync(c =>
        {
            lock (times)
            {
                times.Add(clock.Elapsed);
                if (times.Count == 1)
                {
                    c.Response.StatusCode = 429;
                    c.Response.Headers.RetryAfter = "1";
                    return Task.CompletedTask;
                }
            }
            return JsonAsync(c, Document(1));
        });
        harness.CreateTokens((1, $"ipfs://{Cid(1)}"));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Stored(1) is not null, "metadata stored after the 429");

        // The policy's own back-off is 20 ms; the second request waited for the asked second.
        Assert.Equal(2, times.Count);
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(950), $"retried after {times[1] - times[0]}");
    }

    [Fact]
    public async Task A_404_fails_for_good_without_a_retry_and_survives_a_restart()
    {
        await using var harness = await StartAsync(c =>
        {
            c.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
        harness.CreateTokens((1, $"ipfs://{Cid(1)}"));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Stored(1) is not null, "the failure stored");

        Assert.Equal(new StoredTokenMetadata(TokenMetadataState.Failed, harness.Stored(1)!.RecordedAtMs, "HTTP 404"), harness.Stored(1));
        Assert.Null(harness.Reader.Get(Mint(1)));
        Assert.Equal(0, harness.Counters.Retries);

        await harness.RestartAsync();
        harness.Ingested(harness.CreateTokens((3, $"ipfs://{Cid(3)}")));
        await harness.WaitForAsync(() => harness.Stored(3) is not null, "token 3 processed after the restart");
        Assert.Equal(1, harness.Gateway.Hits(Path(1)));
    }

    [Theory]
    [InlineData("{\"name\": \"unterminated", "malformed JSON")]
    [InlineData("[{\"name\":\"in an array\"}]", "the metadata is a JSON array, not an object")]
    [InlineData("<html>502 Bad Gateway</html>", "malformed JSON")]
    public async Task A_body_that_is_not_a_json_object_fails_for_good(string body, string problem)
    {
        await using var harness = await StartAsync(c => JsonAsync(c, body));
        harness.CreateTokens((1, $"ipfs://{Cid(1)}"));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Stored(1) is not null, "the failure stored");

        Assert.Equal(TokenMetadataState.Failed, harness.Stored(1)!.State);
        Assert.StartsWith(problem, harness.Stored(1)!.Content, StringComparison.Ordinal);
        Assert.Equal(1, harness.Gateway.Hits(Path(1)));
        Assert.Equal(1, harness.Counters.Failed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_body_fails_for_good_with_or_without_a_content_length(bool announced)
    {
        var big = "{\"description\":\"" + new string('x', 8000) + "\"}";
        await using var harness = await StartAsync(async c =>
        {
            if (announced)
            {
                c.Response.ContentLength = big.Length;
            }
            await c.Response.WriteAsync(big, c.RequestAborted);
        });
        harness.Options = harness.Options with { MaxResponseBytes = 4096 };
        harness.CreateTokens((1, $"ipfs://{Cid(1)}"));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Stored(1) is not null, "the failure stored");

        Assert.Equal(new StoredTokenMetadata(TokenMetadataState.Failed, harness.Stored(1)!.RecordedAtMs, "the answer is over 4096 bytes"), harness.Stored(1));
        Assert.Equal(1, harness.Gateway.Hits(Path(1)));
    }

    [Fact]
    public async Task Many_tokens_are_fetched_with_no_more_requests_in_flight_than_max_concurrency()
    {
        await using var harness = await StartAsync(async c =>
        {
            await Task.Delay(100, c.RequestAborted);
            await JsonAsync(c, "{\"name\":\"n\"}");
        });
        harness.Options = harness.Options with { MaxConcurrency = 3 };
        var tokens = Enumerable.Range(1, 30).Select(i => (i, $"ipfs://{Cid(i)}")).ToArray();
        harness.CreateTokens(tokens[..15]);

        await harness.StartServiceAsync();
        harness.Ingested(harness.CreateTokens(tokens[15..]));
        await harness.WaitForAsync(() => harness.Counters.Fetched == 30, "30 tokens fetched", seconds: 60);

        Assert.InRange(harness.Gateway.MaxInFlight, 2, 3);
        Assert.All(Enumerable.Range(1, 30), i => Assert.Equal(1, harness.Gateway.Hits(Path(i))));
    }

    [Fact]
    public async Task A_restart_resumes_pending_fetches_and_does_not_fetch_stored_ones_again()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = await StartAsync(async c =>
        {
            // Tokens 5 to 8 hang until released: two are in flight and two queued when the service stops.
            if (int.Parse(c.Request.Query["n"]!, System.Globalization.CultureInfo.InvariantCulture) > 4)
            {
                await release.Task.WaitAsync(c.RequestAborted);
            }
            await JsonAsync(c, "{\"name\":\"n\"}");
        });
        harness.Options = harness.Options with { MaxConcurrency = 2, TimeoutMs = 60_000 };
        harness.CreateTokens([.. Enumerable.Range(1, 8).Select(i => (i, $"https://gateway.example/ipfs/{Cid(i)}?n={i}"))]);

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Counters.Fetched == 4, "tokens 1 to 4 fetched");
        await harness.WaitForAsync(() => harness.Counters.InFlight == 2, "both workers stuck on tokens 5 and 6");
        await harness.RestartAsync();
        release.SetResult();
        await harness.WaitForAsync(() => Enumerable.Range(1, 8).All(i => harness.Stored(i) is { State: TokenMetadataState.Fetched }), "every token fetched");

        Assert.All(Enumerable.Range(1, 4), i => Assert.Equal(1, harness.Gateway.Hits(Path(i))));
        Assert.Equal(4, harness.Counters.Fetched);   // the restarted service fetched exactly the 4 pending ones
    }

    [Fact]
    public async Task Tokens_dropped_by_a_full_queue_are_counted_and_found_again_by_a_rescan()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = await StartAsync(async c =>
        {
            await release.Task.WaitAsync(c.RequestAborted);
            await JsonAsync(c, "{\"name\":\"n\"}");
        });
        harness.Options = harness.Options with { MaxConcurrency = 1, QueueCapacity = 2, TimeoutMs = 60_000 };
        await harness.StartServiceAsync();

        harness.Ingested(harness.CreateTokens([.. Enumerable.Range(1, 10).Select(i => (i, $"ipfs://{Cid(i)}"))]));
        Assert.True(harness.Queue.Dropped >= 7, $"dropped {harness.Queue.Dropped}");
        release.SetResult();

        await harness.WaitForAsync(() => harness.Counters.Fetched == 10, "all 10 fetched after the rescan");
        Assert.All(Enumerable.Range(1, 10), i => Assert.Equal(1, harness.Gateway.Hits(Path(i))));
    }

    [Fact]
    public async Task A_direct_https_uri_to_a_private_address_is_refused_without_a_request()
    {
        await using var harness = await StartAsync(c => JsonAsync(c, Document(1)));
        harness.CreateTokens((1, $"https://127.0.0.1:{harness.Gateway.BaseUri.Port}/meta.json"), (2, "ar://not-ipfs"));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Stored(1) is not null && harness.Stored(2) is not null, "both failures stored");

        Assert.Contains("no public address", harness.Stored(1)!.Content, StringComparison.Ordinal);
        Assert.Equal("the uri is neither ipfs:// nor an http(s) URL", harness.Stored(2)!.Content);
        Assert.Equal(0, harness.Gateway.TotalHits);
    }

    private static Task JsonAsync(HttpContext context, string json) => MetadataGateway.JsonAsync(context, json);
}
