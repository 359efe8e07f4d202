using System;
using System.Management.Automation;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Service;

namespace Dreamina.Transport
{
    /// <summary>
    /// Requests to hosts other than the API (images, videos, image stores), with a client that never carries the
    /// token, following redirects by hand so that every hop's scheme and host can be checked, and never waiting
    /// longer than the limit for an answer.
    /// </summary>
    internal static class ContentHttp
    {
        private const int MaxRedirects = 5;

        /// <param name="refuse">Why a hop may not be followed (its scheme or host), or null.</param>
        public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, Uri uri, Func<Uri, DreaminaException?> refuse,
            Action<HttpRequestMessage>? prepare, TimeSpan limit, CancellationToken cancel)
        {
            for (var hop = 0; ; hop++)
            {
                if (refuse(uri) is { } refused) throw refused;
                using var request = new HttpRequestMessage(method, uri);
                prepare?.Invoke(request);
                var response = await Stall.SendAsync(client, request, limit, cancel).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (status < 300 || status >= 400 || status == 304) return response;
                var location = response.Headers.Location;
                response.Dispose();
                if (location is null || hop >= MaxRedirects)
                    throw new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError, $"{uri.Host} redirected {(location is null ? "nowhere" : "too many times")} (HTTP {status}).");
                uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
            }
        }

        public static Task<HttpResponseMessage> GetAsync(HttpClient client, Uri uri, Func<Uri, DreaminaException?> refuse,
            Action<HttpRequestMessage>? prepare, TimeSpan limit, CancellationToken cancel)
            => SendAsync(client, HttpMethod.Get, uri, refuse, prepare, limit, cancel);

        /// <summary>Only http and https may be followed: a redirect to file:, ftp: or data: is refused, with its scheme named.</summary>
        public static bool IsWebScheme(Uri uri) => uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp;

        public static void AskForRange(HttpRequestMessage request, long from, long? to, EntityTagHeaderValue? ifRange)
        {
            request.Headers.Range = new RangeHeaderValue(from, to);
            if (ifRange is not null) request.Headers.IfRange = new RangeConditionHeaderValue(ifRange);
        }
    }
}
