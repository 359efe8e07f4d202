using System;
using System.Collections.Generic;
using System.Linq;

namespace Dreamina.Emulator;

/// <summary>Draws faults from a seeded generator, never more than <see cref="FaultOptions.MaxConsecutive"/> in a row per endpoint and request.</summary>
internal sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _streaks = new();
    private FaultOptions? _drawingFor;
    private Random _random = new(0);

    public FaultKind? Draw(FaultOptions options, EmulatorEndpoint endpoint, string key)
    {
        if (options.Rate <= 0) return null;
        var candidates = options.Kinds.Where(k => AppliesTo(k, endpoint)).ToArray();
        if (candidates.Length == 0 || (options.Endpoints.Count > 0 && !options.Endpoints.Contains(endpoint))) return null;
        lock (_gate)
        {
            Reseed(options);
            var streakKey = endpoint + "/" + key;
            _streaks.TryGetValue(streakKey, out var streak);
            var roll = _random.NextDouble();
            var kind = candidates[_random.Next(candidates.Length)];
            if (streak >= options.MaxConsecutive || roll >= options.Rate)
            {
                _streaks[streakKey] = 0;
                return null;
            }
            _streaks[streakKey] = streak + 1;
            return kind;
        }
    }

    /// <summary>Whether the generator's coin, also used for <see cref="EmulatorOptions.FailureRate"/>, lands under <paramref name="rate"/>.</summary>
    public bool Chance(FaultOptions options, double rate)
    {
        if (rate <= 0) return false;
        lock (_gate)
        {
            Reseed(options);
            return _random.NextDouble() < rate;
        }
    }

    // New fault options start a new deterministic sequence.
    private void Reseed(FaultOptions options)
    {
        if (ReferenceEquals(_drawingFor, options)) return;
        _drawingFor = options;
        _random = new Random(options.Seed);
        _streaks.Clear();
    }

    private static bool AppliesTo(FaultKind kind, EmulatorEndpoint endpoint) => kind switch
    {
        FaultKind.UnknownStatus => endpoint == EmulatorEndpoint.Status,
        FaultKind.TruncatedDownload or FaultKind.HtmlIn200 or FaultKind.ShortChunked => endpoint == EmulatorEndpoint.Download,
        FaultKind.StallMidBody or FaultKind.RedirectToFile => endpoint is EmulatorEndpoint.Download or EmulatorEndpoint.Sample,
        FaultKind.UnknownLength => endpoint == EmulatorEndpoint.Sample,
        FaultKind.EchoToken => endpoint is EmulatorEndpoint.Status or EmulatorEndpoint.Result,
        FaultKind.NoRequestId or FaultKind.UnreadableBody => endpoint == EmulatorEndpoint.Submit,
        FaultKind.SlowResponse or FaultKind.ServiceUnavailable or FaultKind.Stall => true,
        _ => endpoint is not (EmulatorEndpoint.Download or EmulatorEndpoint.Sample),
    };
}
