using System;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Download
{
    /// <summary>
    /// GETs from hosts other than the API (images, videos) with a client that never carries the token,
    /// following redirects by hand so every hop can be checked.
    /// </summary>
    internal static class ContentHttp
    {
        private const int MaxRedirects = 5;

        public static async Task<HttpResponseMessage> GetAsync(HttpClient client, Uri uri, Func<Uri, string?> refuseHost, Action<HttpRequestMessage>? prepare, CancellationToken cancel)
        {
            for (var hop = 0; ; hop++)
            {
                if (refuseHost(uri) is { } why) throw new DreaminaException(ErrorIds.DownloadHostRefused, ErrorCategory.SecurityError, why);
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                prepare?.Invoke(request);
                var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (status < 300 || status >= 400 || status == 304) return response;
                var location = response.Headers.Location;
                response.Dispose();
                if (location is null || hop >= MaxRedirects)
                    throw new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError, $"{uri.Host} redirected {(location is null ? "nowhere" : "too many times")} (HTTP {status}).");
                uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
            }
        }

        /// <summary>A client for content hosts: no default headers, no cookies, no automatic redirects.</summary>
        public static HttpClient CreateClient() => new HttpClient(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };

        public static void AskForRange(HttpRequestMessage request, long from, long? to, EntityTagHeaderValue? ifRange)
        {
            request.Headers.Range = new RangeHeaderValue(from, to);
            if (ifRange is not null) request.Headers.IfRange = new RangeConditionHeaderValue(ifRange);
        }
    }
}
