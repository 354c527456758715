using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

/// <summary><c>[database]</c>: where RocksDB keeps the event log, candles and the checkpoint.</summary>
internal sealed record DatabaseOptions
{
    public const string Section = "database";

    [ConfigurationKeyName("rocksdb_path")]
    public string RocksDbPath { get; init; } = "./data/rocksdb";
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options) =>
        string.IsNullOrWhiteSpace(options.RocksDbPath) || options.RocksDbPath.IndexOfAny(Path.GetInvalidPathChars()) >= 0
            ? ValidateOptionsResult.Fail($"database.rocksdb_path: '{options.RocksDbPath}' is not a usable folder path")
            : ValidateOptionsResult.Success;
}
