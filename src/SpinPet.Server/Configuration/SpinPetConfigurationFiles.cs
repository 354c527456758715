namespace SpinPet.Server.Configuration;

/// <summary>The TOML files a start-up reads, so the host can log where its settings came from.</summary>
/// <param name="Folder">The <c>config/</c> folder in use.</param>
/// <param name="DefaultFile">Always present: <c>config/default.toml</c>.</param>
/// <param name="EnvironmentName">The value of <c>SPIN_ENV</c>, or null when it is not set.</param>
/// <param name="OverlayFile"><c>config/{SPIN_ENV}.toml</c> when it exists, else null.</param>
internal sealed record SpinPetConfigurationFiles(
    string Folder, string DefaultFile, string? EnvironmentName, string? OverlayFile);
