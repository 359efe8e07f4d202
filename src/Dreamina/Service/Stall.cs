using System;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Service
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
            try
            {
                return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw Stalled(request.RequestUri!, limit, "sent no answer");
            }
        }

        /// <summary>Reads the next bytes, or fails when none come within <paramref name="limit"/>.</summary>
        public static async Task<int> ReadAsync(Stream body, byte[] buffer, int offset, int count, Uri source, TimeSpan limit, CancellationToken cancel)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            wait.CancelAfter(limit);
            // Where a stream ignores cancellation (.NET Framework), closing it ends the read.
            using var close = wait.Token.Register(body.Dispose);
            try
            {
                return await body.ReadAsync(buffer, offset, count, wait.Token).ConfigureAwait(false);
            }
            catch (Exception e) when ((e is OperationCanceledException or ObjectDisposedException or IOException) && wait.IsCancellationRequested && !cancel.IsCancellationRequested)
            {
                throw Stalled(source, limit, "stopped sending");
            }
        }

        private static DreaminaException Stalled(Uri source, TimeSpan limit, string what)
            => new DreaminaException(ErrorIds.Timeout, ErrorCategory.OperationTimeout,
                $"{source.Host} {what} for {limit.TotalSeconds:0.#} s (the limit set by Connect-Dreamina -TimeoutSec).")
            { IsTransient = true };
    }
}
