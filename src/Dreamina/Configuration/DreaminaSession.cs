using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Security;
using Dreamina.Journal;
using Dreamina.Reporting;
using Dreamina.Service;
using Dreamina.Transport;

namespace Dreamina.Configuration
{
    /// <summary>
    /// The process's settings and HTTP connections. One per process, so what Connect-Dreamina sets reaches every
    /// runspace: ForEach-Object -Parallel, Start-ThreadJob, and the module's own background jobs. A host that
    /// runs runspaces for different users may give a runspace settings of its own (<see cref="Isolate"/>).
    /// </summary>
    internal sealed class DreaminaSession
    {
        public static readonly Uri DefaultBaseUri = new Uri("https://model-api.runcomfy.net/");
        public static readonly Uri DefaultAccountUri = new Uri("https://api.runcomfy.net/");
        public const string BaseUriVariable = "DREAMINA_BASE_URI";
        public const string AccountUriVariable = "DREAMINA_ACCOUNT_URI";
        public const string JournalVariable = "DREAMINA_JOURNAL_PATH";
        public const string JournalUriVariable = "DREAMINA_JOURNAL_URI";
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TableJournal> Tables = new System.Collections.Concurrent.ConcurrentDictionary<string, TableJournal>();
        private static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);
        public static readonly TimeSpan DefaultUnreachableTimeout = TimeSpan.FromMinutes(15);

        private static readonly DreaminaSession ProcessWide = new DreaminaSession();
        private static readonly ConditionalWeakTable<Runspace, DreaminaSession> Isolated = new ConditionalWeakTable<Runspace, DreaminaSession>();

        private readonly object _gate = new object();
        private SecureString? _token;
        private Uri? _baseUri;
        private Uri? _accountUri;
        private string? _journalPath;
        private RetryPolicy _retry = new RetryPolicy();
        private int _throttleLimit = SessionSettings.DefaultThrottleLimit;
        private double _maxPollRate = SessionSettings.DefaultMaxPollRate;
        private decimal? _dailySpendLimit;
        private Uri? _imageStore;
        private ScriptBlock? _imageUploader;
        private TimeSpan _unreachableTimeout = DefaultUnreachableTimeout;
        private ProxySettings? _proxy;
        private Uri? _journalUri;
        private HttpClient? _api;
        private HttpClient? _content;
        private ResolvedToken? _resolved;
        private Redactor? _redactor;

        public static DreaminaSession Current => Runspace.DefaultRunspace is { } runspace && Isolated.TryGetValue(runspace, out var own) ? own : ProcessWide;

        /// <summary>Gives a runspace settings of its own, apart from the process's (tests run many emulators in one process).</summary>
        internal static DreaminaSession Isolate(Runspace runspace) => Isolated.GetValue(runspace, _ => new DreaminaSession());

        /// <summary>Shared by every client of this session: a 429 slows them all.</summary>
        public RateGate Gate { get; } = new RateGate();

        public Pricing.PriceCache Prices { get; } = new Pricing.PriceCache();

        public SessionSettings Settings
        {
            get
            {
                lock (_gate)
                {
                    var baseUri = _baseUri ?? FromEnvironment(BaseUriVariable) ?? DefaultBaseUri;
                    return new SessionSettings(
                        baseUri,
                        _accountUri ?? FromEnvironment(AccountUriVariable) ?? DefaultAccountUri,
                        _journalPath ?? DefaultJournalPath(baseUri),
                        _retry.Clone(), _throttleLimit, _maxPollRate, _dailySpendLimit, _imageStore, _imageUploader, _unreachableTimeout, _proxy,
                        _journalPath is null ? _journalUri ?? JournalUriFromEnvironment() : null);
                }
            }
        }

        /// <summary>The table when one is set (one per address in the process, so its writes keep their order), else the file.</summary>
        public IJobJournal Journal
        {
            get
            {
                var settings = Settings;
                return settings.JournalUri is { } table
                    ? Tables.GetOrAdd(table.AbsoluteUri, _ => new TableJournal(table, ContentHttp, settings.Retry))
                    : JobJournal.For(settings.JournalPath);
            }
        }

        public void Configure(ConnectChanges changes)
        {
            lock (_gate)
            {
                if (changes.Token is not null)
                {
                    _token?.Dispose();
                    _token = changes.Token.Copy();
                }
                _baseUri = changes.BaseUri ?? _baseUri;
                _accountUri = changes.AccountUri ?? _accountUri;
                // The last one given wins: a table, or a file.
                if (changes.JournalPath is not null) (_journalPath, _journalUri) = (changes.JournalPath, null);
                if (changes.JournalUri is not null) (_journalUri, _journalPath) = (changes.JournalUri, null);
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
                _throttleLimit = changes.ThrottleLimit ?? _throttleLimit;
                _maxPollRate = changes.MaxPollRate ?? _maxPollRate;
                _dailySpendLimit = changes.ClearDailySpendLimit ? null : changes.DailySpendLimit ?? _dailySpendLimit;
                _imageStore = changes.ImageStore ?? _imageStore;
                _imageUploader = changes.ImageUploader ?? _imageUploader;
                _unreachableTimeout = changes.UnreachableTimeout ?? _unreachableTimeout;
                if (changes.Proxy is not null)
                {
                    _proxy = changes.Proxy;
                    DropConnections();
                }
                _resolved = null;
                _redactor = null;
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
                _token?.Dispose();
                _token = null;
                _baseUri = _accountUri = _imageStore = null;
                _journalPath = null;
                _retry = new RetryPolicy();
                _throttleLimit = SessionSettings.DefaultThrottleLimit;
                _maxPollRate = SessionSettings.DefaultMaxPollRate;
                _dailySpendLimit = null;
                _imageUploader = null;
                _unreachableTimeout = DefaultUnreachableTimeout;
                _proxy = null;
                _journalUri = null;
                _resolved = null;
                _redactor = null;
                DropConnections();
                Prices.Clear();
            }
        }

        /// <summary>Where the token comes from now (never the token itself).</summary>
        public string TokenSource => Resolve().Source;

        /// <summary>The token for a request, or the error that says why there is none to send.</summary>
        public string Token()
        {
            var resolved = Resolve();
            if (resolved.Token is null)
            {
                throw new DreaminaException(ErrorIds.TokenMissing, ErrorCategory.AuthenticationError,
                    $"No RunComfy token was found (looked in {TokenResolver.LookedIn}). {ServiceErrors.HowToSetToken}");
            }
            if (TokenResolver.Problem(resolved.Token, resolved.Source) is { } problem) throw problem;
            return resolved.Token;
        }

        /// <summary>Masks this session's secrets (the token, the image store's SAS) and every known secret shape.</summary>
        public Redactor Redactor
        {
            get
            {
                lock (_gate)
                {
                    var token = Resolve().Token; // a token that changed drops the old redactor
                    var journal = _journalUri ?? JournalUriFromEnvironment();
                    return _redactor ??= new Redactor(new[] { token, _imageStore?.Query.TrimStart('?'), SasSignature(_imageStore), journal?.Query.TrimStart('?'), SasSignature(journal) });
                }
            }
        }

        public RunComfyClient CreateClient(IActivityLog log)
        {
            var settings = Settings;
            return new RunComfyClient(ApiHttp, settings.BaseUri, settings.AccountUri, Token, settings.Retry, Gate, Redactor, log);
        }

        /// <summary>
        /// Starts reading the price in the background (when there is a token to read it with), so the first
        /// Start-DreaminaVideo finds it, and an open connection to the API, waiting. A failed read is read again then.
        /// </summary>
        public void ReadPriceAhead()
        {
            if (Resolve().Token is null) return;
            _ = Prices.GetAsync(CreateClient(SilentLog.Instance), System.Threading.CancellationToken.None);
        }

        /// <summary>One client for RunComfy's API hosts, so connections are reused; it follows no redirects.</summary>
        public HttpClient ApiHttp { get { lock (_gate) return _api ??= HttpTransport.Create(_retry.ConnectTimeout, _proxy); } }

        /// <summary>A second client for images, videos and uploads: it has never seen the token.</summary>
        public HttpClient ContentHttp { get { lock (_gate) return _content ??= HttpTransport.Create(_retry.ConnectTimeout, _proxy); } }

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

        private static string? SasSignature(Uri? store)
        {
            if (store is null) return null;
            foreach (var pair in store.Query.TrimStart('?').Split('&'))
            {
                if (pair.StartsWith("sig=", StringComparison.OrdinalIgnoreCase)) return Uri.UnescapeDataString(pair.Substring(4));
            }
            return null;
        }

        private ResolvedToken Resolve()
        {
            var resolver = TokenResolver.ForThisProcess();
            var environment = resolver.EnvironmentValue;
            lock (_gate)
            {
                // The token file is read once per session; a changed environment variable is seen at once.
                if (_resolved is { } cached && cached.Environment == environment) return cached;
                var (token, source) = resolver.Resolve(_token);
                _redactor = null;
                return (_resolved = new ResolvedToken(token, source, environment));
            }
        }

        private void DropConnections()
        {
            _api?.Dispose();
            _content?.Dispose();
            _api = _content = null;
            // A price being read on the old connections (Connect-Dreamina reads it ahead) is read again on the new.
            Prices.Clear();
        }

        private sealed class ResolvedToken
        {
            public ResolvedToken(string? token, string source, string? environment)
            {
                Token = token;
                Source = source;
                Environment = environment;
            }

            public string? Token { get; }
            public string Source { get; }
            public string? Environment { get; }
        }
    }
}
