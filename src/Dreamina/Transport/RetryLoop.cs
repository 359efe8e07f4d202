using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Transport
{
    /// <summary>
    /// The module's one way of trying again: an attempt that fails with a passing fault is repeated after the
    /// policy's pause (the server's Retry-After when it gave one, else exponential backoff with full jitter),
    /// until the policy's retries, or its budget where the caller sets one, run out. What counts as passing,
    /// what is said before each pause and what the last failure becomes are the caller's.
    /// </summary>
    internal sealed class RetryLoop
    {
        private static readonly Random Jitter = new Random();
        private readonly RetryPolicy _policy;

        public RetryLoop(RetryPolicy policy) => _policy = policy;

        /// <summary>Whether a failure may be tried again: by default a dropped connection, a stall, or an error marked transient.</summary>
        public Func<Exception, bool> IsTransient { get; set; } = IsPassingFault;

        /// <summary>When set, no retry starts once this much time has gone on the whole call.</summary>
        public TimeSpan? Budget { get; set; }

        /// <summary>Called before each pause with the failure, the number of the retry to come (1-based) and the pause.</summary>
        public Action<Exception, int, TimeSpan>? BeforePause { get; set; }

        /// <summary>What the last failure becomes once no retry is left, given the attempts made and the time they took.</summary>
        public Func<Exception, int, TimeSpan, Exception> GiveUp { get; set; } = (last, _, _) => last;

        public async Task<T> RunAsync<T>(Func<Task<T>> attempt, CancellationToken cancel)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var tries = 0; ; tries++)
            {
                Exception failure;
                try
                {
                    return await attempt().ConfigureAwait(false);
                }
                catch (Exception e) when (!cancel.IsCancellationRequested && IsTransient(e))
                {
                    failure = e;
                }
                var pause = _policy.DelayBefore(tries, (failure as DreaminaException)?.RetryAfter, Jitter);
                if (tries >= _policy.MaxRetries || (Budget is { } budget && clock.Elapsed + pause > budget)) throw GiveUp(failure, tries + 1, clock.Elapsed);
                BeforePause?.Invoke(failure, tries + 1, pause);
                await Task.Delay(pause, cancel).ConfigureAwait(false);
            }
        }

        public Task RunAsync(Func<Task> attempt, CancellationToken cancel)
            => RunAsync(async () => { await attempt().ConfigureAwait(false); return true; }, cancel);

        public static bool IsPassingFault(Exception e) => e is HttpRequestException or IOException || (e is DreaminaException d && d.IsTransient);
    }
}
