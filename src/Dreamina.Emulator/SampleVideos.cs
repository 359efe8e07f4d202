namespace Dreamina.Emulator;

/// <summary>The videos the emulator serves, for tests that stand up servers of their own.</summary>
public static class SampleVideos
{
    /// <summary>A whole MP4 of exactly <paramref name="size"/> bytes (at least the fixture's): the fixture, padded with a 'free' box.</summary>
    public static byte[] Mp4(long size) => VideoStore.Materialize(size);
}
