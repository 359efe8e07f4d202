using System;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Transport
{
    /// <summary>
    /// Bounds every wait on a host that is not the API: for a response's headers, and for each next piece of its
    /// body. A host that stalls is an error within the limit (retried where the caller retries), never a hang.
    /// </summary>
    internal static class Stall
    {
        public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, TimeSpan limit, CancellationToken cancel)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            wait.CancelAfter(limit);
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw Stalled(request.RequestUri!, limit, "sent no answer");
            }
            catch (HttpRequestException e) when (ProxyErrors.From(e) is { } refused)
            {
                throw refused;
            }
            if (ProxyErrors.From(response) is { } proxyRefused)
            {
                response.Dispose();
                throw proxyRefused;
            }
            return response;
        }

        internal static DreaminaException Stalled(Uri source, TimeSpan limit, string what)
            => new DreaminaException(ErrorIds.Timeout, ErrorCategory.OperationTimeout,
                $"{source.Host} {what} for {limit.TotalSeconds:0.#} s (the limit set by Connect-Dreamina -TimeoutSec).")
            { IsTransient = true };
    }

    /// <summary>
    /// A response body each of whose reads must bring bytes within the limit. One timer for the whole body,
    /// armed for each read and disarmed after it, so a long download costs no allocation per read and a slow
    /// disk between reads is not taken for a stalled host. Disposing it disposes the body.
    /// </summary>
    internal sealed class WatchedBody : IDisposable
    {
        private readonly Stream _body;
        private readonly Uri _source;
        private readonly TimeSpan _limit;
        private readonly CancellationToken _cancel;
        private readonly CancellationTokenSource _wait;
        private readonly CancellationTokenRegistration _close;

        public WatchedBody(Stream body, Uri source, TimeSpan limit, CancellationToken cancel)
        {
            _body = body;
            _source = source;
            _limit = limit;
            _cancel = cancel;
            _wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            // Where a stream ignores cancellation (.NET Framework), closing it ends the read.
            _close = _wait.Token.Register(body.Dispose);
        }

        /// <summary>Reads the next bytes, or fails when none come within the limit.</summary>
        public async Task<int> ReadAsync(byte[] buffer, int offset, int count)
        {
            _wait.CancelAfter(_limit);
            try
            {
                return await _body.ReadAsync(buffer, offset, count, _wait.Token).ConfigureAwait(false);
            }
            catch (Exception e) when ((e is OperationCanceledException or ObjectDisposedException or IOException) && _wait.IsCancellationRequested && !_cancel.IsCancellationRequested)
            {
                throw Stall.Stalled(_source, _limit, "stopped sending");
            }
            finally
            {
                _wait.CancelAfter(Timeout.Infinite);
            }
        }

        public void Dispose()
        {
            _close.Dispose();
            _wait.Dispose();
            _body.Dispose();
        }
    }
}
