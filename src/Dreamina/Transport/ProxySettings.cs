using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;

namespace Dreamina.Transport
{
    /// <summary>A proxy set with Connect-Dreamina -Proxy, for every host the module talks to; never shows its password.</summary>
    internal sealed class ProxySettings
    {
        public ProxySettings(Uri address, NetworkCredential? credential, bool useDefaultCredentials)
        {
            Address = address;
            Credential = credential;
            UseDefaultCredentials = useDefaultCredentials;
        }

        public Uri Address { get; }
        public NetworkCredential? Credential { get; }
        public bool UseDefaultCredentials { get; }

        public IWebProxy ToWebProxy() => new WebProxy(Address)
        {
            Credentials = Credential ?? (UseDefaultCredentials ? CredentialCache.DefaultCredentials : null),
            BypassProxyOnLocal = false,
        };

        /// <summary>What Get-DreaminaConnection shows: the address and who signs in, never the password.</summary>
        public override string ToString()
            => Address.GetLeftPart(UriPartial.Authority) + (Credential is { UserName.Length: > 0 } c ? $" (as {c.UserName})" : UseDefaultCredentials ? " (default credentials)" : "");

        /// <summary>The proxy the platform would use when none is set: HTTPS_PROXY and friends, or the system's; for display.</summary>
        public static string PlatformDefault()
            => new[] { "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy" }
                .Select(name => (name, value: Environment.GetEnvironmentVariable(name))).FirstOrDefault(v => !string.IsNullOrEmpty(v.value)) is { value: { } found } variable
                ? $"from ${variable.name}: {WithoutPassword(found)}"
                : "the system's (none set in the environment)";

        private static string WithoutPassword(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority).Replace(uri.UserInfo + "@", "") : "(unreadable)";
    }

    /// <summary>A proxy that asked for credentials it did not get (HTTP 407): an error of its own, never a passing fault, never the image's or the service's.</summary>
    internal static class ProxyErrors
    {
        private static readonly Regex Tunnel = new Regex(@"proxy '?(?<proxy>[^' ]+)'? failed with status code '?407", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>The 407 error when a response is the proxy's refusal, else null.</summary>
        public static DreaminaException? From(HttpResponseMessage response)
            => (int)response.StatusCode == 407 ? Refused(null) : null;

        /// <summary>The 407 error when a failed request was a proxy tunnel refused for want of credentials, else null.</summary>
        public static DreaminaException? From(Exception failure)
        {
            for (var e = failure; e is not null; e = e.InnerException)
            {
                if (e is HttpRequestException && Tunnel.Match(e.Message) is { Success: true } match) return Refused(match.Groups["proxy"].Value.TrimEnd('/'));
            }
            return null;
        }

        private static DreaminaException Refused(string? proxy)
            => new DreaminaException(ErrorIds.ProxyAuthenticationFailed, ErrorCategory.AuthenticationError,
                $"The proxy{(proxy is null ? "" : " " + proxy)} refused the request (HTTP 407, Proxy Authentication Required), so nothing went past it. " +
                "Check the user and password given with Connect-Dreamina -ProxyCredential (or use -ProxyUseDefaultCredentials), or the credentials in $env:HTTPS_PROXY.");
    }
}
