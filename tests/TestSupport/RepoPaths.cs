namespace SpinPet.TestSupport;

/// <summary>Finds the repository root (the folder with SpinPet.slnx) and the shared/ folder beside it.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string SharedFile(params string[] parts) => Path.Combine([Shared, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SpinPet.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("SpinPet.slnx not found above " + AppContext.BaseDirectory);
    }
}
