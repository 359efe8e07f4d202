using System;
using Dreamina.Configuration;

namespace Dreamina
{
    /// <summary>The settings a session uses; it shows where the token comes from, never the token.</summary>
    public sealed class DreaminaConnection
    {
        private DreaminaConnection(Uri baseUri, string tokenSource, string journalPath, int maxRetries, TimeSpan timeout)
        {
            BaseUri = baseUri;
            TokenSource = tokenSource;
            JournalPath = journalPath;
            MaxRetries = maxRetries;
            TimeoutSec = (int)timeout.TotalSeconds;
        }

        public Uri BaseUri { get; }
        public string TokenSource { get; }
        public string JournalPath { get; }
        public int MaxRetries { get; }
        public int TimeoutSec { get; }

        internal static DreaminaConnection Of(DreaminaSession session)
            => new DreaminaConnection(session.EffectiveBaseUri, session.TokenSource, session.EffectiveJournalPath, session.Retry.MaxRetries, session.Retry.RequestTimeout);

        public override string ToString() => $"{BaseUri} (token from {TokenSource})";
    }
}
