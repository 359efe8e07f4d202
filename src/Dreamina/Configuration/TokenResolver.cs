using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security;
using System.Text.Json;

namespace Dreamina.Configuration
{
    /// <summary>Finds the token the way RunComfy's own CLI does, after anything given to Connect-Dreamina.</summary>
    internal sealed class TokenResolver
    {
        public const string EnvironmentVariable = "RUNCOMFY_TOKEN";
        private readonly Func<string, string?> _environment;
        private readonly string _tokenFile;

        public TokenResolver(Func<string, string?> environment, string homeDirectory)
        {
            _environment = environment;
            _tokenFile = Path.Combine(homeDirectory, ".config", "runcomfy", "token.json");
        }

        public static TokenResolver ForThisProcess()
            => new TokenResolver(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

        /// <summary>The token and where it came from, or null and where it was looked for.</summary>
        public (string? Token, string Source) Resolve(SecureString? given)
        {
            if (given is not null && given.Length > 0) return (Plain(given), "Connect-Dreamina");
            var fromEnvironment = _environment(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment)) return (fromEnvironment!.Trim(), "$env:" + EnvironmentVariable);
            var fromFile = ReadTokenFile();
            if (fromFile is not null) return (fromFile, _tokenFile);
            return (null, $"none (looked in Connect-Dreamina, $env:{EnvironmentVariable} and {_tokenFile})");
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
    }
}
