using System;
using System.Management.Automation;
using System.Security;
using Dreamina.Service;
using Dreamina.Transport;

namespace Dreamina.Configuration
{
    /// <summary>What Connect-Dreamina changes; null leaves a setting as it is.</summary>
    internal sealed class ConnectChanges
    {
        public SecureString? Token { get; set; }
        public Uri? BaseUri { get; set; }
        public Uri? AccountUri { get; set; }
        public string? JournalPath { get; set; }
        /// <summary>An Azure Storage table with a SAS, for the journal: replaces the file until -JournalPath is given again.</summary>
        public Uri? JournalUri { get; set; }
        public int? MaxRetries { get; set; }
        public TimeSpan? Timeout { get; set; }
        public TimeSpan? ConnectTimeout { get; set; }
        public int? ThrottleLimit { get; set; }
        public double? MaxPollRate { get; set; }
        public decimal? DailySpendLimit { get; set; }
        /// <summary>-DailySpendLimit 0 or $null: no daily limit from now on.</summary>
        public bool ClearDailySpendLimit { get; set; }
        public Uri? ImageStore { get; set; }
        public ScriptBlock? ImageUploader { get; set; }
        public TimeSpan? UnreachableTimeout { get; set; }
        public ProxySettings? Proxy { get; set; }

        /// <summary>
        /// These changes made over earlier ones: what is given here wins, what is not stays; of a journal table and
        /// file, the one given last (the table, when both come at once). The token and the retry settings are the session's to keep apart.
        /// </summary>
        public ConnectChanges Over(ConnectChanges earlier) => new ConnectChanges
        {
            BaseUri = BaseUri ?? earlier.BaseUri,
            AccountUri = AccountUri ?? earlier.AccountUri,
            JournalPath = JournalUri is not null ? null : JournalPath ?? earlier.JournalPath,
            JournalUri = JournalUri ?? (JournalPath is not null ? null : earlier.JournalUri),
            ThrottleLimit = ThrottleLimit ?? earlier.ThrottleLimit,
            MaxPollRate = MaxPollRate ?? earlier.MaxPollRate,
            DailySpendLimit = ClearDailySpendLimit ? null : DailySpendLimit ?? earlier.DailySpendLimit,
            ImageStore = ImageStore ?? earlier.ImageStore,
            ImageUploader = ImageUploader ?? earlier.ImageUploader,
            UnreachableTimeout = UnreachableTimeout ?? earlier.UnreachableTimeout,
            Proxy = Proxy ?? earlier.Proxy,
        };
    }

    /// <summary>The settings in force at one moment: a snapshot that work in progress keeps, whatever Connect-Dreamina does meanwhile.</summary>
    internal sealed class SessionSettings
    {
        /// <summary>Submissions, uploads and status requests in flight at once.</summary>
        public const int DefaultThrottleLimit = Waiting.WaitSettings.DefaultThrottleLimit;
        public const double DefaultMaxPollRate = Waiting.WaitSettings.DefaultMaxPollRate;

        public SessionSettings(Uri baseUri, Uri accountUri, string journalPath, RetryPolicy retry, int throttleLimit, double maxPollRate,
            decimal? dailySpendLimit, Uri? imageStore, ScriptBlock? imageUploader, TimeSpan unreachableTimeout, ProxySettings? proxy, Uri? journalUri)
        {
            JournalUri = journalUri;
            UnreachableTimeout = unreachableTimeout;
            Proxy = proxy;
            BaseUri = baseUri;
            AccountUri = accountUri;
            JournalPath = journalPath;
            Retry = retry;
            ThrottleLimit = throttleLimit;
            MaxPollRate = maxPollRate;
            DailySpendLimit = dailySpendLimit;
            ImageStore = imageStore;
            ImageUploader = imageUploader;
        }

        public Uri BaseUri { get; }
        /// <summary>How long a wait goes on with no usable answer from RunComfy before it ends.</summary>
        public TimeSpan UnreachableTimeout { get; }
        /// <summary>The proxy for every host, or null for the platform's default.</summary>
        public ProxySettings? Proxy { get; }
        /// <summary>RunComfy's account API (the balance): with <see cref="BaseUri"/>, the only host that receives the token.</summary>
        public Uri AccountUri { get; }
        public string JournalPath { get; }
        /// <summary>The journal table with its SAS (a secret), or null for the file at <see cref="JournalPath"/>.</summary>
        public Uri? JournalUri { get; }
        public RetryPolicy Retry { get; }
        /// <summary>Submissions, image checks and uploads in flight at once.</summary>
        public int ThrottleLimit { get; }
        /// <summary>Status requests per second, across every job being waited for.</summary>
        public double MaxPollRate { get; }
        public decimal? DailySpendLimit { get; }
        /// <summary>An Azure Blob container URL with a SAS: where local images are uploaded. A secret, like the token.</summary>
        public Uri? ImageStore { get; }
        /// <summary>The user's own upload script: called with a file, returns the URL the service fetches.</summary>
        public ScriptBlock? ImageUploader { get; }
    }
}
