using System;
using System.Net;
using System.Net.Http;
using System.Reflection;

namespace Dreamina.Transport
{
    /// <summary>
    /// HTTP clients for every host the module talks to: no automatic redirects (each hop is checked by hand), no
    /// cookies, no decompression, a User-Agent naming the module and PowerShell, and a connect timeout.
    /// </summary>
    internal static class HttpTransport
    {
        private static readonly string UserAgent = $"Dreamina/{typeof(HttpTransport).Assembly.GetName().Version?.ToString(3)} PowerShell/{PowerShellVersion()}";

        public static HttpClient Create(TimeSpan connectTimeout)
        {
            var client = new HttpClient(Handler(connectTimeout)) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            return client;
        }

        // On .NET (PowerShell 7) SocketsHttpHandler carries a connect timeout; netstandard2.0 cannot name it, so it is
        // made by reflection. On .NET Framework (Windows PowerShell) the per-request timeout bounds connecting too.
        private static HttpMessageHandler Handler(TimeSpan connectTimeout)
        {
            var sockets = Type.GetType("System.Net.Http.SocketsHttpHandler, System.Net.Http", throwOnError: false);
            if (sockets is not null && Activator.CreateInstance(sockets) is HttpMessageHandler handler)
            {
                Set(handler, "AllowAutoRedirect", false);
                Set(handler, "UseCookies", false);
                Set(handler, "AutomaticDecompression", DecompressionMethods.None);
                Set(handler, "ConnectTimeout", connectTimeout);
                // Connections are reused, but not forever: DNS changes reach a long session.
                Set(handler, "PooledConnectionLifetime", TimeSpan.FromMinutes(5));
                return handler;
            }
            return new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None };
        }

        private static void Set(object target, string property, object value)
            => target.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance)?.SetValue(target, value);

        private static string PowerShellVersion()
            => typeof(System.Management.Automation.PSObject).Assembly.GetName().Version?.ToString(3) ?? "unknown";
    }
}
