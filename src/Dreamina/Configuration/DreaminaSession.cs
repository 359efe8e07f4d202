using System;
using System.Management.Automation.Runspaces;
using System.Net.Http;
using System.Runtime.CompilerServices;
using Dreamina.Journal;
using Dreamina.Model;
using Dreamina.Reporting;
using Dreamina.Service;
using Dreamina.Transport;

namespace Dreamina.Configuration
{
    /// <summary>
    /// The process's settings and HTTP connections. One per process, so what Connect-Dreamina sets reaches every
    /// runspace: ForEach-Object -Parallel, Start-ThreadJob, and the module's own background jobs. A host that
    /// runs runspaces for different users may give a runspace settings of its own (<see cref="Isolate"/>).
    /// What a cmdlet call builds from it is <see cref="Engine"/>'s.
    /// </summary>
    internal sealed class DreaminaSession
    {
        public static readonly Uri DefaultBaseUri = new Uri("https://model-api.runcomfy.net/");
        public static readonly Uri DefaultAccountUri = new Uri("https://api.runcomfy.net/");
        public const string BaseUriVariable = "DREAMINA_BASE_URI";
        public const string AccountUriVariable = "DREAMINA_ACCOUNT_URI";
        public const string JournalVariable = "DREAMINA_JOURNAL_PATH";
        public const string JournalUriVariable = "DREAMINA_JOURNAL_URI";
        public static readonly TimeSpan DefaultUnreachableTimeout = TimeSpan.FromMinutes(15);

        private static readonly DreaminaSession ProcessWide = new DreaminaSession();
        private static readonly ConditionalWeakTable<Runspace, DreaminaSession> Isolated = new ConditionalWeakTable<Runspace, DreaminaSession>();

        private readonly object _gate = new object();
        private readonly SessionSecrets _secrets = new SessionSecrets();
        // Every Connect-Dreamina so far, summed up; a setting never given is null, and its default applies.
        private ConnectChanges _chosen = new ConnectChanges();
        private RetryPolicy _retry = new RetryPolicy();
        private HttpClient? _api;
        private HttpClient? _content;

        public static DreaminaSession Current => Runspace.DefaultRunspace is { } runspace && Isolated.TryGetValue(runspace, out var own) ? own : ProcessWide;

        /// <summary>Gives a runspace settings of its own, apart from the process's (tests run many emulators in one process).</summary>
        internal static DreaminaSession Isolate(Runspace runspace) => Isolated.GetValue(runspace, _ => new DreaminaSession());

        /// <summary>Shared by every client of this session: a 429 slows them all.</summary>
        public RateGate Gate { get; } = new RateGate();

        /// <summary>The model's price and rules as RunComfy last gave them.</summary>
        public Pricing.ModelInformationCache Prices { get; } = new Pricing.ModelInformationCache();

        /// <summary>The model jobs go to, with the rules they are checked against: the service's once read, else the page's.</summary>
        public DreaminaModel Model => Prices.Known?.Rules is { } rules ? new DreaminaModel(DreaminaModel.ImageToVideo.Id, rules) : DreaminaModel.ImageToVideo;

        public bool HasToken => _secrets.HasToken;

        public SessionSettings Settings
        {
            get
            {
                lock (_gate)
                {
                    var chosen = _chosen;
                    var baseUri = chosen.BaseUri ?? FromEnvironment(BaseUriVariable) ?? DefaultBaseUri;
                    return new SessionSettings(
                        baseUri,
                        chosen.AccountUri ?? FromEnvironment(AccountUriVariable) ?? DefaultAccountUri,
                        chosen.JournalPath ?? DefaultJournalPath(baseUri),
                        _retry.Clone(), chosen.ThrottleLimit ?? SessionSettings.DefaultThrottleLimit, chosen.MaxPollRate ?? SessionSettings.DefaultMaxPollRate,
                        chosen.DailySpendLimit, chosen.ImageStore, chosen.ImageUploader, chosen.UnreachableTimeout ?? DefaultUnreachableTimeout, chosen.Proxy,
                        chosen.JournalPath is null ? chosen.JournalUri ?? JournalUriFromEnvironment() : null);
                }
            }
        }

        /// <summary>The journal the settings name: a table when one is set, else the file.</summary>
        public IJobJournal Journal
        {
            get
            {
                var settings = Settings;
                return JournalStores.Open(settings.JournalPath, settings.JournalUri, ContentHttp, settings.Retry);
            }
        }

        public void Configure(ConnectChanges changes)
        {
            lock (_gate)
            {
                if (changes.Token is not null) _secrets.Give(changes.Token);
                _chosen = changes.Over(_chosen);
                if (changes.MaxRetries is not null || changes.Timeout is not null || changes.ConnectTimeout is not null)
                {
                    var retry = _retry.Clone();
                    if (changes.MaxRetries is { } max) retry.MaxRetries = max;
                    if (changes.Timeout is { } timeout) retry.RequestTimeout = timeout;
                    if (changes.ConnectTimeout is { } connect && connect != retry.ConnectTimeout)
                    {
                        retry.ConnectTimeout = connect;
                        DropConnections();
                    }
                    _retry = retry;
                }
                if (changes.Proxy is not null) DropConnections();
                // Another address or token may mean another price.
                if (changes.BaseUri is not null || changes.Token is not null) Prices.Clear();
            }
        }

        /// <summary>Shrinks retries and timeouts so tests of faults run in seconds.</summary>
        internal void UseRetryPolicy(RetryPolicy retry)
        {
            lock (_gate)
            {
                _retry = retry;
                DropConnections();
            }
        }

        public void Reset()
        {
            lock (_gate)
            {
                _secrets.Forget();
                _chosen = new ConnectChanges();
                _retry = new RetryPolicy();
                DropConnections();
            }
        }

        /// <summary>Where the token comes from now (never the token itself).</summary>
        public string TokenSource => _secrets.TokenSource;

        /// <summary>The token for a request, or the error that says why there is none to send.</summary>
        public string Token() => _secrets.Token();

        /// <summary>Masks this session's secrets (the token, the image store's and journal table's SAS) and every known secret shape.</summary>
        public Redactor Redactor
        {
            get
            {
                Uri? store, journal;
                lock (_gate) (store, journal) = (_chosen.ImageStore, _chosen.JournalUri ?? JournalUriFromEnvironment());
                return _secrets.RedactorFor(store, journal);
            }
        }

        public RunComfyClient CreateClient(IActivityLog log)
        {
            var settings = Settings;
            return new RunComfyClient(new ApiConnection(ApiHttp, Token, settings.Retry, Gate, Redactor, log), Model, settings.BaseUri, settings.AccountUri);
        }

        /// <summary>
        /// Starts reading the price in the background (when there is a token to read it with), so the first
        /// Start-DreaminaVideo finds it, and an open connection to the API, waiting. A failed read is read again then.
        /// </summary>
        public void ReadPriceAhead()
        {
            if (!HasToken) return;
            _ = Prices.GetAsync(CreateClient(SilentLog.Instance), DreaminaModel.ImageToVideo, System.Threading.CancellationToken.None);
        }

        /// <summary>One client for RunComfy's API hosts, so connections are reused; it follows no redirects.</summary>
        public HttpClient ApiHttp { get { lock (_gate) return _api ??= HttpTransport.Create(_retry.ConnectTimeout, _chosen.Proxy); } }

        /// <summary>A second client for images, videos and uploads: it has never seen the token.</summary>
        public HttpClient ContentHttp { get { lock (_gate) return _content ??= HttpTransport.Create(_retry.ConnectTimeout, _chosen.Proxy); } }

        /// <summary>HTTPS only, except plain HTTP to this machine (the emulator).</summary>
        public static Uri CheckApiUri(string text, string what = "the RunComfy API") => ApiAddress.Check(text, what);

        /// <summary>
        /// $env:DREAMINA_JOURNAL_PATH, else jobs.jsonl in the user's local application data; an API on this machine
        /// (the emulator) gets emulator-jobs.jsonl, so that its jobs never mix with paid ones or count toward their limit.
        /// </summary>
        public static string DefaultJournalPath(Uri api)
            => Environment.GetEnvironmentVariable(JournalVariable) is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "Dreamina",
                    api.IsLoopback ? "emulator-jobs.jsonl" : "jobs.jsonl");

        private static Uri? JournalUriFromEnvironment()
            => Environment.GetEnvironmentVariable(JournalUriVariable) is { Length: > 0 } text && Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) ? uri : null;

        private static Uri? FromEnvironment(string variable)
            => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text ? CheckApiUri(text, $"${variable}") : null;

        private void DropConnections()
        {
            _api?.Dispose();
            _content?.Dispose();
            _api = _content = null;
            // A price being read on the old connections (Connect-Dreamina reads it ahead) is read again on the new.
            Prices.Clear();
        }
    }
}
