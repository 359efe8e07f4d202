using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Security;
using Dreamina.Download;
using Dreamina.Journal;
using Dreamina.Service;

namespace Dreamina.Configuration
{
    /// <summary>
    /// One runspace's settings and HTTP connections. Keyed by runspace, so two runspaces in one process
    /// (ForEach-Object -Parallel, a host running several) never share a token.
    /// </summary>
    internal sealed class DreaminaSession
    {
        public static readonly Uri DefaultBaseUri = new Uri("https://model-api.runcomfy.net/");
        public const string BaseUriVariable = "DREAMINA_BASE_URI";
        public const string JournalVariable = "DREAMINA_JOURNAL_PATH";

        private static readonly ConditionalWeakTable<Runspace, DreaminaSession> Sessions = new ConditionalWeakTable<Runspace, DreaminaSession>();
        private static readonly DreaminaSession Detached = new DreaminaSession();

        private readonly object _gate = new object();
        private HttpClient? _api;
        private HttpClient? _content;

        public static DreaminaSession Current => Runspace.DefaultRunspace is { } runspace ? For(runspace) : Detached;

        internal static DreaminaSession For(Runspace runspace) => Sessions.GetValue(runspace, _ => new DreaminaSession());

        public SecureString? Token { get; private set; }
        public Uri? BaseUri { get; private set; }
        public string? JournalPath { get; private set; }
        public RetryPolicy Retry { get; private set; } = new RetryPolicy();

        public Uri EffectiveBaseUri => BaseUri ?? (Environment.GetEnvironmentVariable(BaseUriVariable) is { Length: > 0 } fromEnvironment
            ? CheckBaseUri(fromEnvironment)
            : DefaultBaseUri);

        public string EffectiveJournalPath => JournalPath ?? JobJournal.DefaultPath();

        public void Configure(SecureString? token, Uri? baseUri, string? journalPath, RetryPolicy? retry)
        {
            lock (_gate)
            {
                if (token is not null) Token = token.Copy();
                if (baseUri is not null) BaseUri = baseUri;
                if (journalPath is not null) JournalPath = journalPath;
                if (retry is not null) Retry = retry;
            }
        }

        public void Reset()
        {
            lock (_gate)
            {
                Token?.Dispose();
                Token = null;
                BaseUri = null;
                JournalPath = null;
                Retry = new RetryPolicy();
                _api?.Dispose();
                _content?.Dispose();
                _api = _content = null;
            }
        }

        /// <summary>The token's source, for Connect-Dreamina's summary (never the token).</summary>
        public string TokenSource => TokenResolver.ForThisProcess().Resolve(Token).Source;

        public RunComfyClient CreateClient(IActivityLog log)
            => new RunComfyClient(ApiHttp, EffectiveBaseUri, ResolveToken, Retry.Clone(), log);

        public JobJournal CreateJournal() => new JobJournal(EffectiveJournalPath);

        /// <summary>One client per session for the API, so connections are reused; it follows no redirects.</summary>
        public HttpClient ApiHttp { get { lock (_gate) return _api ??= new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan }; } }

        /// <summary>A second client for images and videos: it has never seen the token.</summary>
        public HttpClient ContentHttp { get { lock (_gate) return _content ??= Download.ContentHttp.CreateClient(); } }

        private string ResolveToken()
        {
            var (token, source) = TokenResolver.ForThisProcess().Resolve(Token);
            return token ?? throw new DreaminaException(ErrorIds.TokenMissing, ErrorCategory.AuthenticationError,
                $"No RunComfy token was found (source: {source}). {ServiceErrors.HowToSetToken}");
        }

        /// <summary>HTTPS only, except plain HTTP to this machine (the emulator).</summary>
        public static Uri CheckBaseUri(string text)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                throw new DreaminaException(ErrorIds.InsecureBaseUri, ErrorCategory.InvalidArgument, $"'{text}' is not an absolute http(s) URI for the RunComfy API.");
            if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
                throw new DreaminaException(ErrorIds.InsecureBaseUri, ErrorCategory.SecurityError,
                    $"'{text}' is plain HTTP; the token would cross the network unencrypted. Use https://, or http:// only for this machine (127.0.0.1, localhost).");
            return uri;
        }
    }
}
