using SpinPet.Core.Candles;
using SpinPet.Core.Stream;
using SpinPet.Indexer.Candles;
using SpinPet.Indexer;
using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Indexer.Metadata;
using SpinPet.Solana.Decoding;
using SpinPet.Storage;
using SpinPet.TestSupport;
using SpinPet.TestSupport.Http;

namespace SpinPet.Indexer.Tests.Metadata;

/// <summary>
/// A real store in a temp folder holding created tokens, a real gateway (Kestrel on loopback) and the metadata service
/// wired as the host wires it (AddSpinPetTokenMetadata), with short retry delays. A test may set a fake clock (the
/// service's back-off, Retry-After and per-attempt timeout all run on it) and allow https origins on loopback (a
/// token's own uri, normally refused there). The service can be stopped and started again on the reopened store, as
/// across a restart.
/// </summary>
internal sealed class MetadataHarness : IAsyncDisposable
{
    private const string Base58Digits = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private readonly TempFolder _folder = new("spinpet-metadata");
    private readonly Lazy<System.Security.Cryptography.X509Certificates.X509Certificate2> _certificate = new(TestCertificate.Create);
    private readonly List<MetadataGateway> _origins = [];
    private ServiceProvider? _services;
    private int _transactions;

    private MetadataHarness(MetadataGateway gateway)
    {
        Gateway = gateway;
        Store = SpinPetStore.Open(_folder.Path);
    }

    public MetadataGateway Gateway { get; }

    public SpinPetStore Store { get; private set; }

    public IpfsOptions Options { get; set; } = null!;

    public MetadataRetryPolicy Retry { get; set; } = new(3, TimeSpan.FromMilliseconds(20), 2, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));

    /// <summary>The service's clock; null = the system's.</summary>
    public TimeProvider? Clock { get; set; }

    /// <summary>Set by <see cref="StartOriginAsync"/>: loopback https origins allowed for a token's own uri.</summary>
    public DirectFetchTestAllowance Allowance { get; set; } = DirectFetchTestAllowance.None;

    public TokenMetadataCounters Counters => _services!.GetRequiredService<TokenMetadataCounters>();

    public TokenMetadataQueue Queue => _services!.GetRequiredService<TokenMetadataQueue>();

    public TokenMetadataReader Reader => _services!.GetRequiredService<TokenMetadataReader>();

    public static async Task<MetadataHarness> StartAsync(Func<Microsoft.AspNetCore.Http.HttpContext, Task> handler)
    {
        var gateway = await MetadataGateway.StartAsync(handler);
        return new MetadataHarness(gateway)
        {
            Options = new IpfsOptions { GatewayUrl = gateway.GatewayUrl.ToString(), TimeoutMs = 2000, MaxConcurrency = 4 },
        };
    }

    /// <summary>A CIDv0-shaped name unique to <paramref name="n"/>.</summary>
    public static string Cid(int n)
    {
        var text = new StringBuilder("Qm");
        for (int v = n; ; v /= 58)
        {
            text.Append(Base58Digits[v % 58]);
            if (v < 58)
            {
                break;
            }
        }
        return text.Append('x', 46 - text.Length).ToString();
    }

    /// <summary>
    /// Starts an https origin on loopback standing in for a token's own (non-IPFS) uri host, and lets the direct client
    /// dial loopback and trust its certificate. Disposed with the harness.
    /// </summary>
    public async Task<MetadataGateway> StartOriginAsync(Func<Microsoft.AspNetCore.Http.HttpContext, Task> handler)
    {
        var origin = await MetadataGateway.StartAsync(handler, _certificate.Value);
        _origins.Add(origin);
        Allowance = new DirectFetchTestAllowance(LoopbackAllowed: true, _certificate.Value);
        return origin;
    }

    public static PublicKey Mint(int n)
    {
        var bytes = new byte[PublicKey.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, n + 1);
        bytes[31] = 0x4D;
        return new PublicKey(bytes);
    }

    /// <summary>Stores a TokenCreatedEvent per (token number, uri), as the ingest would, and returns the transactions.</summary>
    public List<IngestedTransaction> CreateTokens(params (int Token, string Uri)[] tokens)
    {
        var transactions = new List<IngestedTransaction>();
        foreach (var (token, uri) in tokens)
        {
            int n = ++_transactions;
            var created = new TokenCreatedEvent
            {
                Payer = Mint(9000), MintAccount = Mint(token), CurveAccount = Mint(9001), PoolTokenAccount = Mint(9002),
                PoolSolAccount = Mint(9003), FeeRecipient = Mint(9004), BaseFeeRecipient = Mint(9005), ParamsAccount = Mint(9006),
                SwapFee = 100, BorrowFee = 300, FeeDiscountFlag = 0, Name = "Token " + token, Symbol = "T" + token, Uri = uri,
            };
            var signature = new byte[TxSignature.Length];
            BinaryPrimitives.WriteInt32BigEndian(signature, n);
            transactions.Add(new IngestedTransaction(new TxSignature(signature), (ulong)(1000 + n), 0, 1_764_062_400 + n, Failed: false,
                [new DecodedEvent(0, Encode(created), created)], []));
        }
        var last = transactions[^1];
        var indexer = new SpinPetIndexer(Store, new CandleSettings(Interval.Required, PriceScale.Default, VolumeUnit.None), []);
        indexer.Apply(StreamBatch.Of(transactions, new Checkpoint(last.Signature, last.Slot, last.TxIndex)), indexer.Position.Next());
        return transactions;
    }

    /// <summary>What the ingest does after a batch: queue its created tokens (the service must be running).</summary>
    public void Ingested(List<IngestedTransaction> transactions) => Queue.OnApplied(transactions);

    public Task StartServiceAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (Clock is not null)
        {
            services.AddSingleton(Clock);
        }
        services.AddSingleton(Store);
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(Options));
        services.AddSpinPetTokenMetadata();
        services.AddSingleton(Retry);
        services.AddSingleton(Allowance);
        _services = services.BuildServiceProvider();
        return Service.StartAsync(CancellationToken.None);
    }

    public async Task StopServiceAsync()
    {
        if (_services is not null)
        {
            await Service.StopAsync(CancellationToken.None);
            await _services.DisposeAsync();
            _services = null;
        }
    }

    /// <summary>Stops the service, closes and reopens the store, and starts a new service on it: a restart.</summary>
    public async Task RestartAsync()
    {
        await StopServiceAsync();
        Store.Dispose();
        Store = SpinPetStore.Open(_folder.Path);
        await StartServiceAsync();
    }

    public Task WaitForAsync(Func<bool> condition, string what, double seconds = 20) =>
        Eventually.TrueAsync(condition, TimeSpan.FromSeconds(seconds), what);

    public StoredTokenMetadata? Stored(int token) => Store.TokenMetadata.Get(Mint(token));

    public async ValueTask DisposeAsync()
    {
        await StopServiceAsync();
        Store.Dispose();
        await Gateway.DisposeAsync();
        foreach (var origin in _origins)
        {
            await origin.DisposeAsync();
        }
        if (_certificate.IsValueCreated)
        {
            _certificate.Value.Dispose();
        }
        _folder.Dispose();
    }

    private IHostedService Service => _services!.GetServices<IHostedService>().OfType<TokenMetadataService>().Single();

    /// <summary>discriminator ‖ Borsh body in the IDL's field order (events.md), as the program logs it.</summary>
    private static byte[] Encode(TokenCreatedEvent e)
    {
        using var body = new MemoryStream();
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(word, EventDiscriminators.Of(EventKind.TokenCreated));
        body.Write(word);
        foreach (var key in new[] { e.Payer, e.MintAccount, e.CurveAccount, e.PoolTokenAccount, e.PoolSolAccount, e.FeeRecipient, e.BaseFeeRecipient, e.ParamsAccount })
        {
            body.Write(key.AsSpan());
        }
        BinaryPrimitives.WriteUInt16LittleEndian(word, e.SwapFee);
        body.Write(word[..2]);
        BinaryPrimitives.WriteUInt16LittleEndian(word, e.BorrowFee);
        body.Write(word[..2]);
        body.WriteByte(e.FeeDiscountFlag);
        foreach (var text in new[] { e.Name, e.Symbol, e.Uri })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)bytes.Length);
            body.Write(word[..4]);
            body.Write(bytes);
        }
        return body.ToArray();
    }
}
