using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using SpinPet.Indexer.Metadata;
using SpinPet.Storage;
using SpinPet.TestSupport;
using SpinPet.TestSupport.Http;
using static SpinPet.Indexer.Tests.Metadata.MetadataHarness;

namespace SpinPet.Indexer.Tests.Metadata;

/// <summary>
/// Who gets the workers when origins are slow or ask to be left alone: back-off and Retry-After park the token instead
/// of holding a worker, attempts are bounded, new tokens are not queued behind retries, and a token's own origin holds
/// one worker at most. Back-off timing runs on a fake clock that the test moves.
/// </summary>
public sealed class TokenMetadataSchedulingTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_764_062_400);

    [Fact]
    public async Task A_retry_after_of_60_s_parks_the_token_and_the_workers_fetch_new_tokens_meanwhile()
    {
        var clock = new FakeTimeProvider(Start);
        var retriedAt = new ConcurrentDictionary<int, DateTimeOffset>();
        var limited = new ConcurrentDictionary<int, bool>();
        await using var harness = await StartAsync(c =>
        {
            int token = TokenOf(c);
            if (token <= 2 && limited.TryAdd(token, true))
            {
                c.Response.StatusCode = 429;
                c.Response.Headers.RetryAfter = "60";
                return Task.CompletedTask;
            }
            retriedAt[token] = clock.GetUtcNow();
            return MetadataGateway.JsonAsync(c, "{\"name\":\"n\"}");
        });
        harness.Clock = clock;
        harness.Options = harness.Options with { MaxConcurrency = 2 };
        harness.Retry = harness.Retry with { MaxRetryAfter = TimeSpan.FromMinutes(10) };
        harness.CreateTokens((1, $"ipfs://{Cid(1)}"), (2, $"ipfs://{Cid(2)}"));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Queue.Parked == 2, "both workers' tokens rate-limited and parked");
        // Both workers met a Retry-After of 60 s; the clock stands still, and new tokens are fetched all the same.
        harness.Ingested(harness.CreateTokens([.. Enumerable.Range(3, 6).Select(i => (i, $"ipfs://{Cid(i)}"))]));
        await harness.WaitForAsync(() => Enumerable.Range(3, 6).All(i => harness.Stored(i) is { State: TokenMetadataState.Fetched }), "tokens 3 to 8 fetched while 1 and 2 wait");
        Assert.Equal(1, harness.Gateway.Hits(PathOf(1)));

        // Not before the 60 s asked for (the policy's own back-off is 20 ms) ...
        clock.Advance(TimeSpan.FromSeconds(59));
        harness.Ingested(harness.CreateTokens((9, $"ipfs://{Cid(9)}")));
        await harness.WaitForAsync(() => harness.Stored(9) is not null, "token 9 fetched after 59 s");
        // ... and then at once.
        clock.Advance(TimeSpan.FromSeconds(1));
        await harness.WaitForAsync(() => harness.Stored(1) is not null && harness.Stored(2) is not null, "tokens 1 and 2 fetched after 60 s");
        Assert.All([1, 2], i => Assert.Equal(Start.AddSeconds(60), retriedAt[i]));
        Assert.Equal(0, harness.Queue.Parked);
    }

    [Fact]
    public async Task A_token_that_keeps_failing_is_stored_as_given_up_after_the_last_attempt_and_tried_again_only_after_a_restart()
    {
        var clock = new FakeTimeProvider(Start);
        await using var harness = await StartAsync(c =>
        {
            if (TokenOf(c) == 1)
            {
                c.Response.StatusCode = 503;
                return Task.CompletedTask;
            }
            return MetadataGateway.JsonAsync(c, "{\"name\":\"n\"}");
        });
        harness.Clock = clock;
        harness.Retry = new MetadataRetryPolicy(3, TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        harness.CreateTokens((1, $"ipfs://{Cid(1)}"));

        await harness.StartServiceAsync();
        await AdvanceUntilAsync(harness, clock, () => harness.Stored(1) is not null, "token 1 given up");

        Assert.Equal(TokenMetadataState.GaveUp, harness.Stored(1)!.State);
        Assert.Equal("HTTP 503 (3 attempts)", harness.Stored(1)!.Content);
        Assert.Equal(3, harness.Gateway.Hits(PathOf(1)));
        Assert.Equal((1, 2), (harness.Counters.GaveUp, harness.Counters.Retries));
        Assert.Null(harness.Reader.Get(Mint(1)));

        // A day later, and after an overflow rescan, it has not been asked for again.
        clock.Advance(TimeSpan.FromDays(1));
        harness.Queue.RequestRescan();
        harness.Ingested(harness.CreateTokens((2, $"ipfs://{Cid(2)}")));
        await harness.WaitForAsync(() => harness.Stored(2) is not null, "token 2 fetched");
        Assert.Equal(3, harness.Gateway.Hits(PathOf(1)));

        // The restart is its retry trigger: one new round of 3 attempts.
        await harness.RestartAsync();
        await AdvanceUntilAsync(harness, clock, () => harness.Gateway.Hits(PathOf(1)) == 6 && harness.Counters.GaveUp == 1, "a second round given up");
        Assert.Equal(TokenMetadataState.GaveUp, harness.Stored(1)!.State);
        Assert.Equal(1, harness.Gateway.Hits(PathOf(2)));
    }

    [Fact]
    public async Task A_new_token_is_fetched_ahead_of_a_backlog_of_due_retries()
    {
        var clock = new FakeTimeProvider(Start);
        var retryGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = new ConcurrentQueue<int>();
        var seen = new ConcurrentDictionary<int, int>();
        await using var harness = await StartAsync(async c =>
        {
            int token = TokenOf(c);
            requests.Enqueue(token);
            if (token > 10)
            {
                await MetadataGateway.JsonAsync(c, "{\"name\":\"n\"}");
                return;
            }
            if (seen.AddOrUpdate(token, 1, (_, n) => n + 1) > 1)
            {
                // A retry: held until the new token is queued, so the worker is known to be on a retry then.
                await retryGate.Task.WaitAsync(c.RequestAborted);
            }
            c.Response.StatusCode = 503;
        });
        harness.Clock = clock;
        harness.Options = harness.Options with { MaxConcurrency = 1 };
        harness.Retry = new MetadataRetryPolicy(5, TimeSpan.FromSeconds(1), 1, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        harness.CreateTokens([.. Enumerable.Range(1, 10).Select(i => (i, $"ipfs://{Cid(i)}"))]);

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Queue.Parked == 10, "tokens 1 to 10 failed once and parked");
        clock.Advance(TimeSpan.FromSeconds(2));
        await harness.WaitForAsync(() => harness.Gateway.InFlight == 1, "the one worker on the first of ten due retries");
        harness.Ingested(harness.CreateTokens((11, $"ipfs://{Cid(11)}")));
        retryGate.SetResult();
        await harness.WaitForAsync(() => harness.Stored(11) is not null, "the new token fetched");

        // Ten retries were due; the new token came right after the retry the worker was on, not after the other nine.
        var order = requests.ToArray();
        Assert.Equal(Enumerable.Range(1, 10), order[..10]);
        Assert.InRange(order[10], 1, 10);
        Assert.Equal(11, order[11]);
    }

    [Fact]
    public async Task A_slow_origin_holds_one_worker_and_tokens_on_the_gateway_go_on()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = await StartAsync(c => MetadataGateway.JsonAsync(c, "{\"name\":\"on the gateway\"}"));
        var slow = await harness.StartOriginAsync(async c =>
        {
            await release.Task.WaitAsync(c.RequestAborted);
            await MetadataGateway.JsonAsync(c, "{\"name\":\"slow\"}");
        });
        harness.Options = harness.Options with { MaxConcurrency = 4, TimeoutMs = 120_000 };
        // Six tokens on the slow origin first, then eight on the gateway: in arrival order the slow ones come first.
        harness.CreateTokens([.. Enumerable.Range(1, 6).Select(i => (i, new Uri(slow.BaseUri, $"meta/{i}.json").AbsoluteUri))]);
        harness.CreateTokens([.. Enumerable.Range(7, 8).Select(i => (i, $"ipfs://{Cid(i)}"))]);

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => slow.InFlight == 1 && Enumerable.Range(7, 8).All(i => harness.Stored(i) is { State: TokenMetadataState.Fetched }), "the gateway's tokens fetched while the origin hangs");

        Assert.Equal(1, slow.MaxInFlight);
        release.SetResult();
        await harness.WaitForAsync(() => Enumerable.Range(1, 6).All(i => harness.Stored(i) is { State: TokenMetadataState.Fetched }), "the slow origin's tokens fetched, one after another");
        Assert.Equal(1, slow.MaxInFlight);
        Assert.Equal(14, harness.Counters.Fetched);
    }

    [Fact]
    public async Task Many_slow_origins_together_hold_at_most_half_the_workers()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int inFlight = 0;
        int maxInFlight = 0;
        await using var harness = await StartAsync(c => MetadataGateway.JsonAsync(c, "{\"name\":\"on the gateway\"}"));
        var origins = new List<MetadataGateway>();
        for (int o = 0; o < 3; o++)
        {
            origins.Add(await harness.StartOriginAsync(async c =>
            {
                int now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref maxInFlight, now);
                try
                {
                    await release.Task.WaitAsync(c.RequestAborted);
                    await MetadataGateway.JsonAsync(c, "{\"name\":\"slow\"}");
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }));
        }
        harness.Options = harness.Options with { MaxConcurrency = 4, TimeoutMs = 120_000 };
        harness.CreateTokens([.. Enumerable.Range(1, 6).Select(i => (i, new Uri(origins[i % 3].BaseUri, $"meta/{i}.json").AbsoluteUri))]);
        harness.CreateTokens([.. Enumerable.Range(7, 8).Select(i => (i, $"ipfs://{Cid(i)}"))]);

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => Volatile.Read(ref inFlight) == 2 && Enumerable.Range(7, 8).All(i => harness.Stored(i) is { State: TokenMetadataState.Fetched }), "the gateway's tokens fetched while two of three origins hang");

        release.SetResult();
        await harness.WaitForAsync(() => harness.Counters.Fetched == 14, "every token fetched");
        Assert.Equal(2, maxInFlight);
        Assert.All(origins, o => Assert.Equal(1, o.MaxInFlight));
    }

    [Fact]
    public async Task A_body_that_trickles_past_the_timeout_ends_the_attempt_and_parks_the_token()
    {
        var clock = new FakeTimeProvider(Start);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = await StartAsync(async c =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("{\"name\":", c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
            await release.Task.WaitAsync(c.RequestAborted);
        });
        harness.Clock = clock;
        harness.Options = harness.Options with { TimeoutMs = 10_000 };
        harness.CreateTokens((1, $"ipfs://{Cid(1)}"));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Counters.InFlight == 1 && harness.Gateway.Hits(PathOf(1)) == 1, "the body started");
        clock.Advance(TimeSpan.FromSeconds(10));

        await harness.WaitForAsync(() => harness.Queue.Parked == 1, "the attempt timed out and the token parked");
        Assert.Equal(0, harness.Counters.InFlight);
        release.SetResult();
    }

    private static string PathOf(int token) => $"/ipfs/{Cid(token)}";

    /// <summary>The token number a request is for: by its CID on the gateway, by its file name on an origin.</summary>
    private static int TokenOf(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        if (path.StartsWith("/meta/", StringComparison.Ordinal))
        {
            return int.Parse(path["/meta/".Length..^".json".Length], CultureInfo.InvariantCulture);
        }
        return Enumerable.Range(1, 100).First(i => path == PathOf(i));
    }

    /// <summary>
    /// Moves the fake clock a second at a time until the condition holds (each step lets due retries run). It moves only
    /// while no request is in flight: a request's 10 s timeout runs on this clock, and a second a poll timed out requests
    /// that a loaded machine had not delivered yet (an attempt that never reached the gateway, counted as one).
    /// </summary>
    private static Task AdvanceUntilAsync(MetadataHarness harness, FakeTimeProvider clock, Func<bool> condition, string what) =>
        Eventually.TrueAsync(() =>
        {
            if (condition())
            {
                return true;
            }
            if (harness.Counters.InFlight == 0)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
            }
            return false;
        }, TimeSpan.FromSeconds(30), what);

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
