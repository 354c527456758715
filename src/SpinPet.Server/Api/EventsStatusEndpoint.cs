using SpinPet.Solana.Ingest;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

internal static class EventsStatusEndpoint
{
    public static IEndpointRouteBuilder MapEventsStatus(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/events/status", (IngestStatus status, SpinPetStore store, Microsoft.Extensions.Options.IOptions<SolanaOptions> solana) =>
            TypedResults.Json(ApiResponse<EventsStatus>.Ok(Snapshot(status, store, solana.Value)), ApiJsonContext.Default.ApiResponseEventsStatus));
        return routes;
    }

    private static EventsStatus Snapshot(IngestStatus status, SpinPetStore store, SolanaOptions solana)
    {
        // The checkpoint in the store is the truth after a restart, before the ingest has applied anything new.
        var checkpoint = store.Meta.ReadCheckpoint();
        var counters = store.Meta.Counters;
        var rpc = status.Rpc;
        var pubsub = status.PubSub;
        return new EventsStatus(
            IsRunning: status.IsRunning,
            ConnectionStatus: status.ConnectionState.ToString().ToLowerInvariant(),
            ProgramId: solana.ProgramId,
            LastEventTime: status.LastEventTime,
            LastProcessedSlot: checkpoint?.Slot ?? 0,
            LastProcessedSignature: checkpoint?.Signature.ToString(),
            TotalEventsProcessed: counters.Events,
            CaughtUp: status.CaughtUp,
            ChainSlot: status.ChainSlot,
            LastError: status.LastError ?? status.ConnectionError,
            Backfill: new BackfillStatus(status.BackfillPending, status.BackfillRuns, status.BackfillSignaturesFound, status.BackfillTransactionsApplied,
                status.BackfillPeakSignaturesHeld),
            Counters: new IngestCounters(
                counters.Transactions,
                counters.FailedTransactions,
                counters.RejectedPayloads,
                status.DuplicatesSkipped,
                status.UnknownDiscriminators,
                status.TrailingBytesAccepted,
                status.TruncatedLogs,
                status.LateTransactions,
                status.Resyncs,
                status.Errors,
                new RpcCounters(rpc.RateLimited.Value, rpc.HttpErrors.Value, rpc.Timeouts.Value, rpc.ConnectionErrors.Value, rpc.Garbage.Value, rpc.Oversize.Value),
                new PubSubCounters(pubsub?.Connects.Value ?? 0, pubsub?.Disconnects.Value ?? 0, pubsub?.Notifications.Value ?? 0,
                    pubsub?.Garbage.Value ?? 0, pubsub?.Oversize.Value ?? 0, pubsub?.Dropped.Value ?? 0)));
    }
}
