using System;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Reporting;
using Dreamina.Transport;

namespace Dreamina.Service
{
    /// <summary>
    /// How a request reaches RunComfy's API hosts and how its answer is judged: the bearer token (asked for at
    /// each request), the shared 429 gate, the one retry loop with the never-resend-a-submission rule, timeouts
    /// told apart from failed connections, a cap on an answer's size, and every known error shape turned into
    /// an error that says what to do. Redirects are never followed, so the token goes nowhere else.
    /// </summary>
    internal sealed class ApiConnection
    {
        private const int MaxResponseBytes = 1 << 20;
        private readonly HttpClient _http;
        private readonly Func<string> _token;
        private readonly RetryPolicy _retry;
        private readonly RateGate _gate;
        private readonly IActivityLog _log;

        /// <param name="token">Called at each request, so that input errors and -WhatIf need no token.</param>
        public ApiConnection(HttpClient http, Func<string> token, RetryPolicy retry, RateGate gate, Redactor redactor, IActivityLog log)
        {
            _http = http;
            _token = token;
            _retry = retry;
            _gate = gate;
            Redactor = redactor;
            _log = log;
        }

        /// <summary>Masks the token and every secret the service may echo.</summary>
        public Redactor Redactor { get; }

        /// <summary>The same connection with another retry policy.</summary>
        public ApiConnection WithRetry(RetryPolicy retry) => new ApiConnection(_http, _token, retry, _gate, Redactor, _log);

        /// <param name="isSubmission">
        /// A submission is retried only when it surely never reached RunComfy (refused, throttled, no connection),
        /// and its attempt once sent is not cancelled: resending one that may have arrived could pay twice.
        /// </param>
        /// <param name="about">What a call that is not about one job reads (its errors say so): the model's information, the balance.</param>
        public Task<JsonDocument> SendAsync(HttpMethod method, Uri uri, string? json, string? requestId, CancellationToken cancel, bool isSubmission = false, ReadSubject? about = null)
        {
            var loop = new RetryLoop(_retry)
            {
                Budget = _retry.Budget,
                IsTransient = e => e is DreaminaException { IsTransient: true } failure && !(isSubmission && failure.MayHaveBeenProcessed),
                BeforePause = (e, retry, pause) =>
                {
                    if (((DreaminaException)e).HttpStatus == 429) _gate.CloseFor(pause);
                    _log.Verbose($"{method} {uri.AbsolutePath}: {e.Message.TrimEnd('.')}. Retry {retry} of {_retry.MaxRetries} in {pause.TotalSeconds:0.##} s.");
                },
                GiveUp = (e, attempts, elapsed) => attempts == 1 ? e : GaveUp((DreaminaException)e, attempts, elapsed),
            };
            return loop.RunAsync(async () =>
            {
                await _gate.WaitAsync(cancel).ConfigureAwait(false);
                cancel.ThrowIfCancellationRequested();
                return await SendOnceAsync(method, uri, json, requestId, about, isSubmission ? CancellationToken.None : cancel).ConfigureAwait(false);
            }, cancel);
        }

        private static DreaminaException GaveUp(DreaminaException last, int attempts, TimeSpan elapsed)
            => new DreaminaException(last.ErrorId, last.Category, $"{last.Message.TrimEnd('.')}. Gave up after {attempts} attempts over {elapsed.TotalSeconds:0.#} s.", last)
            {
                ServiceCode = last.ServiceCode,
                HttpStatus = last.HttpStatus,
                IsTransient = true,
            };

        private async Task<JsonDocument> SendOnceAsync(HttpMethod method, Uri uri, string? json, string? requestId, ReadSubject? about, CancellationToken cancel)
        {
            var token = _token();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            attempt.CancelAfter(_retry.RequestTimeout);
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            else if (method == HttpMethod.Post) request.Content = new ByteArrayContent(Array.Empty<byte>());
            _log.Debug($"{method} {uri}");
            var sent = false;
            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
                sent = true;
                var body = await ReadCappedAsync(response, attempt.Token).ConfigureAwait(false);
                _log.Debug($"{(int)response.StatusCode} from {method} {uri.AbsolutePath} ({body.Length} characters)");
                return Interpret(response, body, requestId, about);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested && !attempt.IsCancellationRequested)
            {
                // Cancelled by neither the caller nor our timer: the handler gave up connecting, so nothing was sent.
                throw new DreaminaException(ErrorIds.ConnectionFailed, ErrorCategory.ConnectionError,
                    $"Could not connect to {uri.Host} within {_retry.ConnectTimeout.TotalSeconds:0} s.")
                { IsTransient = true };
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new DreaminaException(ErrorIds.Timeout, ErrorCategory.OperationTimeout,
                    $"RunComfy did not answer {method} {uri.AbsolutePath} within {_retry.RequestTimeout.TotalSeconds:0} s.")
                { IsTransient = true, MayHaveBeenProcessed = true };
            }
            catch (HttpRequestException e) when (ProxyErrors.From(e) is { } refused)
            {
                throw refused;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                var beforeSending = !sent && IsConnectFailure(e);
                throw new DreaminaException(ErrorIds.ConnectionFailed, ErrorCategory.ConnectionError,
                    $"The connection to {uri.Host} failed{(beforeSending ? "" : " before the answer arrived")}: {Redactor.Redact(Innermost(e).Message.TrimEnd('.'))}.", e)
                { IsTransient = true, MayHaveBeenProcessed = !beforeSending };
            }
        }

        private static async Task<string> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancel)
        {
            if (response.Content.Headers.ContentLength > MaxResponseBytes) throw TooLarge(response);
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var copy = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = await stream.ReadAsync(buffer, 0, buffer.Length, cancel).ConfigureAwait(false)) > 0)
            {
                copy.Write(buffer, 0, read);
                if (copy.Length > MaxResponseBytes) throw TooLarge(response);
            }
            return Encoding.UTF8.GetString(copy.GetBuffer(), 0, (int)copy.Length);
        }

        private static DreaminaException TooLarge(HttpResponseMessage response)
            => new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError,
                $"The service's answer (HTTP {(int)response.StatusCode}) is larger than {MaxResponseBytes / 1024} KiB; it was not read.")
            { MayHaveBeenProcessed = response.IsSuccessStatusCode };

        private JsonDocument Interpret(HttpResponseMessage response, string body, string? requestId, ReadSubject? about)
        {
            if (ProxyErrors.From(response) is { } proxyRefused) throw proxyRefused;
            var status = (int)response.StatusCode;
            JsonDocument? document = null;
            try { document = JsonDocument.Parse(body); }
            catch (JsonException) { }

            if (status >= 200 && status < 300)
            {
                if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    document?.Dispose();
                    throw new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError,
                        $"The service answered HTTP {status} with something that is not a JSON object: {Redactor.RedactOrNull(ErrorBody.Parse(body).Message)}")
                    { MayHaveBeenProcessed = true };
                }
                if (ErrorBody.CodeOfErrorIn200(document.RootElement) is not { } codeIn200) return document;
                status = codeIn200 >= 100000 ? codeIn200 / 1000 : 500;
            }
            document?.Dispose();

            if (status >= 300 && status < 400)
            {
                throw new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError,
                    $"The service redirected to {response.Headers.Location?.GetLeftPart(UriPartial.Authority) ?? "another address"} (HTTP {status}). " +
                    "Redirects are not followed, so the token never goes to another host; check the base URI given to Connect-Dreamina.");
            }
            var (code, message) = ErrorBody.Parse(body);
            throw ServiceErrors.From(status, code, Redactor.RedactOrNull(message), requestId, RetryPolicy.ParseRetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow), about);
        }

        private static bool IsConnectFailure(Exception e)
        {
            for (var inner = e; inner is not null; inner = inner.InnerException)
            {
                if (inner is SocketException socket)
                {
                    return socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable
                        or SocketError.NetworkUnreachable or SocketError.TryAgain or SocketError.NoData or SocketError.AddressNotAvailable or SocketError.TimedOut;
                }
            }
            return false;
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException is not null) e = e.InnerException;
            return e;
        }
    }
}
