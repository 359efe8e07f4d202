using System;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Xunit;

namespace Dreamina.Tests.Infrastructure;

/// <summary>One emulator per test class, fast clock: a 90 s job takes 0.3 s.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public RunComfyEmulator Emulator { get; private set; } = null!;

    public static EmulatorOptions FastOptions() => new()
    {
        TimeScale = 1.0 / 300,
        Concurrency = 2,
    };

    public async Task InitializeAsync() => Emulator = await RunComfyEmulator.StartAsync(FastOptions());

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}
