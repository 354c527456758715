using BenchmarkDotNet.Running;

namespace SpinPet.Benchmarks;

internal static class Program
{
    // `dotnet run -c Release --project benchmarks/SpinPet.Benchmarks -- --filter '*'`; docs/benchmarks.md has the
    // numbers and the machine they were measured on.
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
