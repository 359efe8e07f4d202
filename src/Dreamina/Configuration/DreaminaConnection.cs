using System;
using Dreamina.Configuration;
using Dreamina.Journal;
using Dreamina.Transport;

namespace Dreamina
{
    /// <summary>The settings in force for this PowerShell process: where they point and where the token comes from, never the token or a SAS.</summary>
    public sealed class DreaminaConnection
    {
        private DreaminaConnection(SessionSettings settings, string tokenSource)
        {
            BaseUri = settings.BaseUri;
            AccountUri = settings.AccountUri;
            TokenSource = tokenSource;
            JournalPath = JournalStores.Display(settings.JournalPath, settings.JournalUri);
            MaxRetries = settings.Retry.MaxRetries;
            TimeoutSec = (int)settings.Retry.RequestTimeout.TotalSeconds;
            ConnectTimeoutSec = (int)settings.Retry.ConnectTimeout.TotalSeconds;
            ThrottleLimit = settings.ThrottleLimit;
            MaxPollRate = settings.MaxPollRate;
            DailySpendLimit = settings.DailySpendLimit;
            ImageStore = settings.ImageStore is { } store ? AzureSas.Display(store) : null;
            ImageUploader = settings.ImageUploader is not null;
            UnreachableTimeoutSec = (int)settings.UnreachableTimeout.TotalSeconds;
            Proxy = settings.Proxy?.ToString() ?? ProxySettings.PlatformDefault();
        }

        /// <summary>RunComfy's Model API.</summary>
        public Uri BaseUri { get; }
        /// <summary>RunComfy's account API (the balance): the only other host that receives the token.</summary>
        public Uri AccountUri { get; }
        /// <summary>Where the token comes from: Connect-Dreamina, $env:RUNCOMFY_API_TOKEN, $env:RUNCOMFY_TOKEN, the token file, or none.</summary>
        public string TokenSource { get; }
        public string JournalPath { get; }
        public int MaxRetries { get; }
        /// <summary>The longest any single network wait may take.</summary>
        public int TimeoutSec { get; }
        public int ConnectTimeoutSec { get; }
        /// <summary>Submissions, image checks and uploads in flight at once.</summary>
        public int ThrottleLimit { get; }
        /// <summary>Status requests per second while waiting.</summary>
        public double MaxPollRate { get; }
        public decimal? DailySpendLimit { get; }
        /// <summary>The Azure Blob container local images are uploaded to (its SAS is never shown).</summary>
        public Uri? ImageStore { get; }
        /// <summary>Whether an -ImageUploader script block is set.</summary>
        public bool ImageUploader { get; }
        /// <summary>How long a wait goes on with no usable answer from RunComfy before it ends, the jobs kept in the journal.</summary>
        public int UnreachableTimeoutSec { get; }
        /// <summary>The proxy every request goes through: its address and user (never the password), or the platform's default.</summary>
        public string Proxy { get; }

        internal static DreaminaConnection Of(DreaminaSession session) => new DreaminaConnection(session.Settings, session.TokenSource);

        public override string ToString() => $"{BaseUri} (token from {TokenSource})";
    }
}
