using System;
using System.Linq;
using System.Management.Automation;
using System.Security;
using Dreamina.Reporting;
using Dreamina.Service;
using Dreamina.Transport;

namespace Dreamina.Configuration
{
    /// <summary>
    /// A session's secrets: the token (given to Connect-Dreamina, else found in the environment or the token file)
    /// and the redactor that masks it, with the SAS of every storage address the session uses, in all text that leaves.
    /// </summary>
    internal sealed class SessionSecrets
    {
        private readonly object _gate = new object();
        private SecureString? _given;
        private ResolvedToken? _resolved;
        private Redactor? _redactor;
        private string?[] _maskedFor = Array.Empty<string?>();

        public void Give(SecureString token)
        {
            lock (_gate)
            {
                _given?.Dispose();
                _given = token.Copy();
                _resolved = null;
            }
        }

        public void Forget()
        {
            lock (_gate)
            {
                _given?.Dispose();
                _given = null;
                _resolved = null;
            }
        }

        /// <summary>Where the token comes from now (never the token itself).</summary>
        public string TokenSource => Resolve().Source;

        public bool HasToken => Resolve().Token is not null;

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

        /// <summary>Masks the token, the SAS of these storage addresses, and every known secret shape; made again when any of them changes.</summary>
        public Redactor RedactorFor(params Uri?[] storage)
        {
            var secrets = new[] { Resolve().Token }.Concat(storage.SelectMany(AzureSas.Secrets)).ToArray();
            lock (_gate)
            {
                if (_redactor is null || !secrets.SequenceEqual(_maskedFor)) (_redactor, _maskedFor) = (new Redactor(secrets), secrets);
                return _redactor;
            }
        }

        private ResolvedToken Resolve()
        {
            var resolver = TokenResolver.ForThisProcess();
            var environment = resolver.EnvironmentValue;
            lock (_gate)
            {
                // The token file is read once per session; a changed environment variable is seen at once.
                if (_resolved is { } cached && cached.Environment == environment) return cached;
                var (token, source) = resolver.Resolve(_given);
                return (_resolved = new ResolvedToken(token, source, environment));
            }
        }

        private sealed class ResolvedToken
        {
            public ResolvedToken(string? token, string source, string environment)
            {
                Token = token;
                Source = source;
                Environment = environment;
            }

            public string? Token { get; }
            public string Source { get; }
            public string Environment { get; }
        }
    }
}
