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

        /// <param name="proxy">The proxy for every request; null leaves the platform's default (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, or the system's).</param>
        public static HttpClient Create(TimeSpan connectTimeout, ProxySettings? proxy = null)
        {
            var client = new HttpClient(Handler(connectTimeout, proxy?.ToWebProxy())) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            return client;
        }

        // On .NET (PowerShell 7) SocketsHttpHandler carries a connect timeout; netstandard2.0 cannot name it, so it is
        // made by reflection. On .NET Framework (Windows PowerShell) the per-request timeout bounds connecting too.
        private static HttpMessageHandler Handler(TimeSpan connectTimeout, IWebProxy? proxy)
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
                if (proxy is not null)
                {
                    Set(handler, "Proxy", proxy);
                    Set(handler, "UseProxy", true);
                }
                return handler;
            }
            var framework = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None };
            if (proxy is not null)
            {
                framework.Proxy = proxy;
                framework.UseProxy = true;
            }
            return framework;
        }

        private static void Set(object target, string property, object value)
            => target.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance)?.SetValue(target, value);

        private static string PowerShellVersion()
            => typeof(System.Management.Automation.PSObject).Assembly.GetName().Version?.ToString(3) ?? "unknown";
    }
}
