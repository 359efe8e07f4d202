using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Text.Json;
using Dreamina.Service;

namespace Dreamina.Configuration
{
    /// <summary>Finds the token the way RunComfy's own CLI does, after anything given to Connect-Dreamina.</summary>
    internal sealed class TokenResolver
    {
        /// <summary>The variables read, in order: RunComfy's ComfyUI client reads RUNCOMFY_API_TOKEN first, its CLI RUNCOMFY_TOKEN.</summary>
        public static readonly string[] EnvironmentVariables = { "RUNCOMFY_API_TOKEN", "RUNCOMFY_TOKEN" };
        public const string FromConnect = "Connect-Dreamina";
        private readonly Func<string, string?> _environment;
        private readonly string _tokenFile;

        public TokenResolver(Func<string, string?> environment, string homeDirectory)
        {
            _environment = environment;
            _tokenFile = Path.Combine(homeDirectory, ".config", "runcomfy", "token.json");
        }

        public static TokenResolver ForThisProcess()
            => new TokenResolver(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

        /// <summary>Where a token is looked for, in order; the file as RunComfy's CLI names it.</summary>
        public const string LookedIn = "Connect-Dreamina, $env:RUNCOMFY_API_TOKEN, $env:RUNCOMFY_TOKEN and ~/.config/runcomfy/token.json";

        /// <summary>The variables' values now, so a cache can tell when one changed.</summary>
        public string EnvironmentValue => string.Join("\n", EnvironmentVariables.Select(v => _environment(v) ?? ""));

        /// <summary>The token and where it came from, or null and where it was looked for.</summary>
        public (string? Token, string Source) Resolve(SecureString? given)
        {
            if (given is not null && given.Length > 0) return (Plain(given).Trim(), FromConnect);
            foreach (var variable in EnvironmentVariables)
            {
                var fromEnvironment = _environment(variable);
                if (!string.IsNullOrWhiteSpace(fromEnvironment)) return (fromEnvironment!.Trim(), "$env:" + variable);
            }
            var fromFile = ReadTokenFile();
            if (fromFile is not null) return (fromFile, _tokenFile);
            return (null, $"none (looked in {LookedIn})");
        }

        /// <summary>
        /// A token fit for an Authorization header: printable ASCII without spaces. Anything else was pasted with
        /// something extra, and would fail in the HTTP stack with an error that says nothing useful.
        /// </summary>
        public static DreaminaException? Problem(string token, string source)
        {
            var bad = token.FirstOrDefault(c => c <= ' ' || c > '~');
            if (bad == default(char)) return null;
            var what = bad == ' ' ? "a space" : bad is '\r' or '\n' ? "a line break" : char.IsControl(bad) ? "a control character" : "a character outside ASCII";
            return new DreaminaException(ErrorIds.TokenInvalid, ErrorCategory.InvalidArgument,
                $"The token from {source} contains {what}, so it cannot be a RunComfy token. Copy it again from RunComfy's API keys page. {ServiceErrors.HowToSetToken}");
        }

        private string? ReadTokenFile()
        {
            try
            {
                if (!File.Exists(_tokenFile)) return null;
                using var document = JsonDocument.Parse(File.ReadAllText(_tokenFile));
                return document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("access_token", out var token)
                    && token.ValueKind == JsonValueKind.String
                    && !string.IsNullOrWhiteSpace(token.GetString())
                    ? token.GetString()!.Trim()
                    : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                return null;
            }
        }

        internal static string Plain(SecureString secure)
        {
            var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
            try { return Marshal.PtrToStringUni(pointer) ?? string.Empty; }
            finally { Marshal.ZeroFreeGlobalAllocUnicode(pointer); }
        }

        internal static SecureString Secure(string plain)
        {
            var secure = new SecureString();
            foreach (var c in plain) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }
    }
}
