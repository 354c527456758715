using System.Security.Cryptography;
using System.Text;
using SpinPet.Core.Stream;
using SpinPet.Indexer.Tests.Stream;
using SpinPet.Storage;
using SpinPet.TestSupport;

namespace SpinPet.Cluster.Tests;

/// <summary>
/// The batch stream contract (Indexer.Tests' <see cref="BatchStreamContract"/>) on the JetStream stream: one node
/// publishing and following its own stream on a real nats-server. A reopened folder is a restarted node on the same
/// stream (the stream's name is derived from the folder).
/// </summary>
public sealed class JetStreamBatchStreamContractTests : BatchStreamContract, IAsyncLifetime
{
    private NatsServer? _server;

    public async ValueTask InitializeAsync() => _server = await NatsServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>
    /// A node that is ready: the stream exists and the node follows its epoch (a new store begins in an epoch of its
    /// own, and adopts the stream's when it finds it).
    /// </summary>
    protected override async Task<IStreamUnderTest> OpenAsync(string folder)
    {
        var stream = "T" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(folder)))[..16];
        var node = ClusterTestNode.Open(folder, ClusterTestNode.SettingsFor(_server!.Url, stream));
        var state = await node.Stream.EnsureAsync(TestContext.Current.CancellationToken);
        await node.WaitAppliedAsync(new StreamPosition(state.Epoch, state.LastSeq), TestContext.Current.CancellationToken);
        return new Node(node);
    }

    private sealed class Node(ClusterTestNode node) : IStreamUnderTest
    {
        public IBatchStream Stream => node.Batches;

        public SpinPetStore Store => node.Store;

        public Task WaitAppliedAsync(StreamPosition position, CancellationToken cancellationToken) => node.WaitAppliedAsync(position, cancellationToken);

        public ValueTask DisposeAsync() => node.DisposeAsync();
    }
}
