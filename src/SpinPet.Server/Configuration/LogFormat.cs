namespace SpinPet.Server.Configuration;

/// <summary><c>logging.format</c>.</summary>
internal enum LogFormat
{
    /// <summary>Human-readable console lines.</summary>
    Text,

    /// <summary>One JSON object per line, for log collectors.</summary>
    Json,
}
