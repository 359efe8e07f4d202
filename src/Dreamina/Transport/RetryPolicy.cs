using System;
using System.Net.Http.Headers;

namespace Dreamina.Transport
{
    /// <summary>
    /// How long to wait and how hard to try again: a connect timeout, a limit on any single network wait, and
    /// exponential backoff with full jitter, capped, within an overall budget.
    /// </summary>
    public sealed class RetryPolicy
    {
        public int MaxRetries { get; set; } = 5;
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);
        /// <summary>The longest backoff the module picks itself.</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>The longest wait the service may ask for with Retry-After; a longer one is cut to this.</summary>
        public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);
        /// <summary>No retry starts once this much time has gone on one call.</summary>
        public TimeSpan Budget { get; set; } = TimeSpan.FromMinutes(5);
        /// <summary>The longest any single network wait may take: an API answer, a response's headers, or the next bytes of a body.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

        public RetryPolicy Clone() => (RetryPolicy)MemberwiseClone();

        /// <summary>The pause before retry number <paramref name="attempt"/> (0-based): the server's wish if it said one, else random in [0, base·2^attempt].</summary>
        public TimeSpan DelayBefore(int attempt, TimeSpan? retryAfter, Random random)
        {
            if (retryAfter is { } asked) return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > MaxRetryAfter ? MaxRetryAfter : asked;
            var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
            lock (random) return TimeSpan.FromMilliseconds(random.NextDouble() * ceiling);
        }

        /// <summary>Retry-After as seconds or an HTTP date, measured from <paramref name="now"/>.</summary>
        public static TimeSpan? ParseRetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
        {
            if (header?.Delta is { } delta) return delta;
            if (header?.Date is { } date) return date - now;
            return null;
        }
    }
}
