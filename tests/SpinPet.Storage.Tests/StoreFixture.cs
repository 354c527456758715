using SpinPet.TestSupport;

namespace SpinPet.Storage.Tests;

/// <summary>A store in a temp folder that can be closed and reopened; everything is deleted on dispose.</summary>
internal sealed class StoreFixture : IDisposable
{
    private readonly TempFolder _folder = new("spinpet-storage");

    public StoreFixture()
    {
        // A subfolder that does not exist yet: Open must create it.
        Path = System.IO.Path.Combine(_folder.Path, "db");
        Store = SpinPetStore.Open(Path);
    }

    public string Path { get; }

    public SpinPetStore Store { get; private set; }

    public SpinPetStore Reopen()
    {
        Store.Dispose();
        Store = SpinPetStore.Open(Path);
        return Store;
    }

    public void Dispose()
    {
        Store.Dispose();
        _folder.Dispose();
    }
}
